package classify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/parse"
)

// A goroutine blocked sending on a channel whose creator has exited is the
// classic leak of one dump read alone: a function started workers to
// compute results, then returned (an error, a timeout) before receiving
// them all, and the channel's only receiver went with it. A dump shows it
// from "created by F in goroutine N" (Go 1.21+) when goroutine N is no
// longer in the dump. Only a dump that lists every goroutine can say a
// goroutine has exited: one without an event, or with an event whose dump
// lists all goroutines (a signal, a deadlock, a test timeout, a panic
// printed with GOTRACEBACK=all), and not cut off; a panic's dump may hold
// the panicking goroutine alone.

// parentRun is a run of goroutines of one group, in dump order, started by
// the same parent: workers started in a loop come in long runs, so a group
// keeps a handful of runs, not one entry per goroutine.
type parentRun struct {
	parent int64
	n      int
}

// orphanFacts are what a single dump says of a group's creators.
type orphanFacts struct {
	orphans int   // goroutines whose parent is not in the dump
	gone    int64 // one such parent, for the evidence
	// returned counts goroutines whose parent is in the dump but no longer
	// runs the function that started them: the function returned, its
	// parent went on (often main) and nothing of it is left on any stack.
	returned int
	parent   int64 // one such parent, for the evidence
}

// noteParent records a goroutine of a single dump with a known parent.
func (c *comparer) noteParent(e *entry, m *parse.Member) {
	if c.n == 1 && m.ParentID != 0 && !c.cut && completeDump(c.ev, c.total) {
		c.parents = true
		if n := len(e.parents); n > 0 && e.parents[n-1].parent == m.ParentID {
			e.parents[n-1].n++
			return
		}
		e.parents = append(e.parents, parentRun{m.ParentID, 1})
	}
}

// completeDump reports whether a dump with event ev and total goroutines
// lists every goroutine. A panic or fatal error prints only its own
// goroutine unless GOTRACEBACK is all or more: with others, it lists all.
func completeDump(ev *parse.Event, total int) bool {
	if ev == nil {
		return true
	}
	switch ev.Kind {
	case parse.EventSignal, parse.EventDeadlock, parse.EventTestTimeout:
		return true
	case parse.EventPanic, parse.EventFatal:
		return total > 1
	}
	return false
}

// countOrphans finds, once every goroutine is added, the goroutines whose
// parent is not in the dump, and those whose parent no longer runs the
// function that started them. It costs one lookup per goroutine in a set
// of the distinct parents, and one check per run of a parent.
func (c *comparer) countOrphans() {
	defer func() {
		for _, e := range c.order {
			e.parents = nil
		}
	}()
	if !c.parents || !c.hasMain {
		return // a paste of a few goroutines: absent is not exited
	}
	// owner maps each parent ID to the entry of the goroutine that has it,
	// nil while none has.
	owner := map[int64]*entry{}
	for _, e := range c.order {
		for _, r := range e.parents {
			owner[r.parent] = nil
		}
	}
	for _, e := range c.order {
		for _, id := range e.g.IDs {
			if _, ok := owner[id]; ok {
				owner[id] = e
			}
		}
	}
	for _, e := range c.order {
		for _, r := range e.parents {
			switch o := owner[r.parent]; {
			case o == nil:
				e.orphan.orphans += r.n
				e.orphan.gone = r.parent
			case !runs(o.rep, e.rep):
				e.orphan.returned += r.n
				e.orphan.parent = r.parent
			}
		}
	}
}

// runs reports whether the parent goroutine (of group parent) is still
// inside the function that started child: the function of its go
// statement. A spawning helper (sync.WaitGroup.Go, errgroup.Group.Go) has
// always returned by the time anyone looks; what matters is its caller,
// which the closure it was given names ("app.fetchAll.func1" was written
// in app.fetchAll). When nothing names it, assume it runs.
func runs(parent, child *parse.Group) bool {
	if parent == nil || child == nil || child.CreatedBy == nil {
		return true // nothing to tell: assume it runs
	}
	fn := child.CreatedBy.Func
	if isSpawner(fn) {
		fn = spawnedBy(child.Frames)
		if fn == "" {
			return true
		}
	}
	return slices.ContainsFunc(parent.Frames, func(f parse.Frame) bool { return f.Func == fn })
}

// spawnedBy returns the function that handed a closure to a spawning
// helper: the closure's enclosing function, named by the frame just inside
// the helper's own closure. "" when that frame is no closure (a method
// value such as wg.Go(s.loop) names no caller).
func spawnedBy(frames []parse.Frame) string {
	if len(frames) == 0 {
		return ""
	}
	f := frames[rootFrame(frames)].Func // holder.go
	if isSpawner(f) || isRuntime(f) {
		return "" // nothing but the helper and the runtime
	}
	return enclosing(f)
}

// enclosing returns the function a closure was written in:
// "app.fetchAll.func1" and "app.fetchAll.func1.2" → "app.fetchAll"; "" for
// a function that is no closure.
func enclosing(fn string) string {
	i := strings.LastIndex(fn, ".func")
	if i <= 0 {
		return ""
	}
	n := fn[i+len(".func"):]
	if n == "" || n[0] < '0' || n[0] > '9' || strings.Trim(n, "0123456789.") != "" {
		return ""
	}
	return fn[:i]
}

// isSpawner reports whether fn is a helper that starts a goroutine for its
// caller: a method named Go or TryGo (sync.WaitGroup, errgroup.Group and
// the pools built like them), or one of its closures.
func isSpawner(fn string) bool {
	if e := enclosing(fn); e != "" {
		fn = e
	}
	return strings.HasSuffix(fn, ").Go") || strings.HasSuffix(fn, ").TryGo")
}

// orphanVerdict makes a single dump's senders whose creators have all
// exited suspects. Goroutines that timers and the runtime start name as
// parent whichever goroutine ran the timer: they prove nothing.
func orphanVerdict(g *Group, f orphanFacts, raise func(Verdict, string)) {
	last := g.Counts[len(g.Counts)-1]
	if g.Label != ChanSend || f.orphans+f.returned == 0 || f.orphans+f.returned < last || g.CreatedBy == nil ||
		strings.HasPrefix(g.CreatedBy.Func, "runtime.") || strings.HasPrefix(g.CreatedBy.Func, "time.") {
		return
	}
	them := "it"
	if last > 1 {
		them = "them"
	}
	creator := g.CreatedBy.Func
	if by := spawnedBy(g.Frames); isSpawner(creator) && by != "" {
		creator = by
	}
	creator = display.ShortFunc(creator)
	var why string
	switch {
	case f.returned == 0:
		why = fmt.Sprintf("blocked sending, and the goroutine that started %s (%d) has exited: the receiver is likely gone with it", them, f.gone)
	case f.orphans == 0:
		why = fmt.Sprintf("blocked sending, and %s, which started %s, has returned (goroutine %d runs elsewhere): the receiver is likely gone with it", creator, them, f.parent)
	default:
		why = fmt.Sprintf("blocked sending, and %s, which started %s, has returned or its goroutine exited: the receiver is likely gone with it", creator, them)
	}
	raise(Suspect, why)
}
