package classify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// A goroutine blocked sending on a channel whose creator has exited is the
// classic leak of one dump read alone: a function started workers to
// compute results, then returned (an error, a timeout) before receiving
// them all, and the channel's only receiver went with it. A dump shows it
// from "created by F in goroutine N" (Go 1.21+) when goroutine N is no
// longer in the dump. Only a dump that lists every goroutine can say a
// goroutine has exited: one without an event, or with an event whose dump
// lists all goroutines (a signal, a deadlock, a test timeout); a panic's
// dump may hold the panicking goroutine alone.

// parentOf is one goroutine of a single dump whose parent is known.
type parentOf struct {
	parent int64
	e      *entry
}

// orphanFacts are what a single dump says of a group's creators.
type orphanFacts struct {
	orphans int   // goroutines whose parent is not in the dump
	gone    int64 // one such parent, for the evidence
}

// noteParent records a goroutine of a single dump with a known parent.
func (c *comparer) noteParent(e *entry, m *parse.Member) {
	if c.n == 1 && m.ParentID != 0 && completeDump(c.ev) {
		c.parents = append(c.parents, parentOf{m.ParentID, e})
	}
}

// completeDump reports whether a dump with event ev lists every goroutine.
func completeDump(ev *parse.Event) bool {
	if ev == nil {
		return true
	}
	switch ev.Kind {
	case parse.EventSignal, parse.EventDeadlock, parse.EventTestTimeout:
		return true
	}
	return false
}

// countOrphans finds, once every goroutine is added, the goroutines whose
// parent is not in the dump.
func (c *comparer) countOrphans() {
	if len(c.parents) == 0 {
		return
	}
	var ids []int64
	for _, e := range c.order {
		ids = append(ids, e.g.IDs...)
	}
	slices.Sort(ids)
	for _, p := range c.parents {
		if _, found := slices.BinarySearch(ids, p.parent); !found {
			p.e.orphan.orphans++
			p.e.orphan.gone = p.parent
		}
	}
	c.parents = nil
}

// orphanVerdict makes a single dump's senders whose creators have all
// exited suspects. Goroutines that timers and the runtime start name as
// parent whichever goroutine ran the timer: they prove nothing.
func orphanVerdict(g *Group, f orphanFacts, raise func(Verdict, string)) {
	last := g.Counts[len(g.Counts)-1]
	if g.Label != ChanSend || f.orphans == 0 || f.orphans < last || g.CreatedBy == nil ||
		strings.HasPrefix(g.CreatedBy.Func, "runtime.") || strings.HasPrefix(g.CreatedBy.Func, "time.") {
		return
	}
	why := fmt.Sprintf("blocked sending, and the goroutine that started it (%d) has exited: the receiver is likely gone with it", f.gone)
	if last > 1 {
		why = fmt.Sprintf("blocked sending, and the goroutines that started them (%d, ...) have exited: the receiver is likely gone with them", f.gone)
	}
	raise(Suspect, why)
}
