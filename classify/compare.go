package classify

import (
	"encoding/hex"
	"io/fs"
	"slices"
	"strconv"

	"github.com/stackdiff/stackdiff/internal/sigkey"
	"github.com/stackdiff/stackdiff/parse"
)

// MatchMode says how goroutines of two snapshots are matched.
type MatchMode string

// The match modes.
const (
	// MatchAuto matches by ID when the snapshots come from one process,
	// else by stack.
	MatchAuto MatchMode = "auto"
	// MatchID trusts goroutine IDs: an ID in both snapshots is the same
	// goroutine. Profiles (debug=1, protobuf) have no IDs: with one among
	// the snapshots, it matches by stack.
	MatchID MatchMode = "id"
	// MatchStack compares only the counts of each stack.
	MatchStack MatchMode = "stack"
)

// Options tune [Compare]. The zero value is the default.
type Options struct {
	Rules []Rule    // nil means [DefaultRules]
	Match MatchMode // "" means MatchAuto
	// Ignore lists the goroutines that are expected: groups an Ignore
	// matches get the verdict ok, with the evidence saying which.
	Ignore []Ignore
	// Sources are where the source files named in the dumps are looked
	// for, in order, to tell timers, tickers and contexts from other
	// channel receives; see [SourceDir] for a directory. Nothing else is
	// ever read: nil (the default) reads no file at all, so the same dumps
	// get the same labels on any machine.
	Sources []fs.FS
	// WaitThreshold is the wait, in minutes, from which a blocked group is a
	// suspect, for every kind of wait. 0 means each kind's own threshold
	// (see [DefaultWaits]).
	WaitThreshold int
	// CrowdThreshold is the number of goroutines blocked at one site from
	// which they are suspects, for every kind of wait. 0 means each kind's
	// own (see [DefaultWaits]).
	CrowdThreshold int
	// Outlived, when set, says what the caller knows and the dumps cannot
	// show: every goroutine of the snapshots outlived its owner (a test
	// that ended, a settle wait that ran out). Each group not ignored is
	// then a leak, with the evidence Outlived returns for it (none when
	// the caller's proof is already in the dump: "(leaked)"). capture's
	// VerifyNone and Find use it, so their verdicts and summaries are
	// written here, as every other one is.
	Outlived func(g *Group) []string
}

func (o *Options) withDefaults() Options {
	var d Options
	if o != nil {
		d = *o
	}
	if d.Rules == nil {
		d.Rules = DefaultRules()
	}
	return d
}

// Compare follows the groups of snapshots (in time order) from the first to
// the last, labels them and gives each a verdict. With one snapshot it is a
// postmortem of that dump. Counts are per snapshot; Delta is last − first,
// like a diff of y − x.
//
// It works in three steps, each reading only what the ones before wrote:
// match (groups across snapshots, and goroutines by ID), label (from each
// group's stack alone), judge (from counts, IDs, labels and options).
func Compare(snaps []*parse.Snapshot, opts *Options) *Report {
	c := newComparer(snaps, opts.withDefaults())
	// 1. Match.
	for i, s := range snaps {
		c.add(i, s)
	}
	c.same = c.sameProcess()
	c.countOrphans()
	// 2. Label.
	for _, e := range c.order {
		c.label(e)
	}
	c.relabelRequests() // handlers.go
	// 3. Judge.
	return c.judgeAll(snaps)
}

// entry accumulates one group across snapshots.
type entry struct {
	g      *Group
	rep    *parse.Group // representative: from the latest snapshot holding it
	leaked []int
	wait   [2]int
	// persisted counts goroutines present in the first and last snapshots
	// whose wait grew in between, with the first and last waits seen.
	persisted, waitFrom, waitTo int
	newIDs                      []int64     // IDs of the last snapshot absent from the first, ascending
	facts                       eventFacts  // what the last snapshot's event says of the group
	orphan                      orphanFacts // a single dump's goroutines whose creator exited
	parents                     []parentRun // a single dump's goroutines with a known parent (orphan.go)
	// accepts, reads and conn are what conns.go found: the group waits in
	// Accept, reads a connection, lives and dies with connections.
	accepts, reads, conn bool
}

type comparer struct {
	opts      Options
	hits      []int // per opts.Ignore, the groups it matched
	n         int
	byKey     map[string]*entry
	order     []*entry
	stackOnly bool
	src       *sources
	// first and last list the goroutines of the first and last snapshots
	// (when there are two or more), to tell new goroutines from persisted
	// ones by ID. They are sorted and joined once: a million goroutines take
	// 24 MB each, and a merge instead of a lookup per goroutine.
	first, last []seen
	// joined is set once join has run; shared and sameCreator count the IDs
	// found in both snapshots, and those whose creator is the same.
	joined              bool
	shared, sameCreator int
	same                bool         // the verdict of sameProcess
	ev                  *parse.Event // the last snapshot's event, if any
	cut                 bool         // the last snapshot stops early: goroutines are missing
	// hasMain is set when the last snapshot holds goroutine 1: a whole dump
	// of a running program always does; a paste of the few goroutines
	// someone found interesting most often does not.
	hasMain bool
	parents bool           // some entry has parents to check (orphan.go)
	sites   map[string]int // goroutines per blocking site (suspicion.go)
	total   int            // goroutines of the last snapshot
	stall   string         // why a single dump shows a stopped process (stalled.go)
	conns   connState      // connection readers per snapshot (conns.go)
	reqs    requestFacts   // requests in flight in the last snapshot (handlers.go)
	// signalCtx is set when the last snapshot holds the goroutine of a
	// signal.NotifyContext: a context that is cancelled by a signal.
	signalCtx bool
}

func newComparer(snaps []*parse.Snapshot, o Options) *comparer {
	c := &comparer{opts: o, n: len(snaps), byKey: map[string]*entry{}, hits: make([]int, len(o.Ignore))}
	c.src = newSources(o.Sources)
	c.stackOnly = o.Match == MatchStack
	for _, s := range snaps {
		if s.Format == parse.FormatDebug1 || s.Format == parse.FormatProto {
			c.stackOnly = true // no states or creators to match on
		}
	}
	if len(snaps) > 0 {
		c.ev = snaps[len(snaps)-1].Event
		c.total = snaps[len(snaps)-1].Count()
		c.cut = snaps[len(snaps)-1].Cut
	}
	return c
}

// seen is one goroutine of the first or last snapshot.
type seen struct {
	id     int64
	e      *entry
	wait   int32
	parent int64 // N of "created by F in goroutine N", 0 if unknown (conns.go)
}

// join matches the last snapshot's goroutines with the first's by ID: it
// collects each entry's new IDs and its persisted goroutines whose wait grew.
func (c *comparer) join() {
	if c.joined {
		return
	}
	c.joined = true
	buf := make([]seen, max(len(c.first), len(c.last)))
	sortByID(c.first, buf)
	sortByID(c.last, buf)
	i := 0
	for _, l := range c.last {
		for i < len(c.first) && c.first[i].id < l.id {
			i++
		}
		if i == len(c.first) || c.first[i].id != l.id {
			l.e.newIDs = append(l.e.newIDs, l.id)
			continue
		}
		f := c.first[i]
		c.shared++
		if creator(f.e.rep) == creator(l.e.rep) {
			c.sameCreator++
		}
		if l.wait > f.wait {
			e := l.e
			if e.persisted == 0 || int(f.wait) < e.waitFrom {
				e.waitFrom = int(f.wait)
			}
			e.persisted++
			e.waitTo = max(e.waitTo, int(l.wait))
		}
	}
}

// key is the group's identity across snapshots. A long one is its start
// and a digest (package sigkey), so keys cost memory by the group, not by
// the length of its stack: the ID in the report is the same either way.
func (c *comparer) key(g *parse.Group) string {
	var b sigkey.Builder
	frames := stackFrames(g.Frames)
	n := len(g.State) + len(" (unavailable)")
	for _, f := range frames {
		n += len(f.Func) + len(f.File) + 8
		if n > sigkey.Max {
			break
		}
	}
	b.Grow(n)
	if !c.stackOnly {
		b.WriteString(g.State)
		if g.Unavailable {
			b.WriteString(" (unavailable)")
		}
	}
	for _, f := range frames {
		b.WriteByte('\n')
		b.WriteString(f.Func)
		b.WriteByte(' ')
		b.WriteString(f.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
	}
	if !c.stackOnly && g.CreatedBy != nil {
		b.WriteString("\ncreated by ")
		b.WriteString(g.CreatedBy.Func)
	}
	if g.Split != "" {
		// Split by label on request: the parts stay apart in any mode.
		b.WriteString("\nlabel ")
		b.WriteString(g.Split)
	}
	return b.String()
}

// members counts the goroutines a snapshot lists one by one: its Count for
// runtime dumps, none for aggregated profiles, whose counts (up to
// parse.MaxCount) say nothing of the memory they take.
func members(s *parse.Snapshot) int {
	n := 0
	for _, g := range s.Groups {
		n += len(g.Members)
	}
	return n
}

func (c *comparer) add(i int, s *parse.Snapshot) {
	last := i == c.n-1
	multi := c.n > 1
	if multi && i == 0 {
		c.first = make([]seen, 0, members(s))
	}
	if multi && last {
		c.last = make([]seen, 0, members(s))
	}
	for _, pg := range s.Groups {
		k := c.key(pg)
		e := c.byKey[k]
		if e == nil {
			e = &entry{g: &Group{Key: k, Counts: make([]int, c.n)}, leaked: make([]int, c.n)}
			c.byKey[k] = e
			c.order = append(c.order, e)
		}
		if e.rep == nil || pg.State != "" || e.rep.State == "" {
			e.rep = pg
		}
		e.g.Counts[i] += pg.Count
		if pg.Leaked {
			e.leaked[i] += pg.Count
		}
		if multi && i == 0 {
			for _, m := range pg.Members {
				c.first = append(c.first, seen{m.ID, e, m.WaitMinutes, m.ParentID})
			}
		}
		if !last {
			continue
		}
		e.g.LabelSets = parse.MergeLabelSets(e.g.LabelSets, pg.LabelSets)
		c.signalCtx = c.signalCtx || signalContext(&Stack{Frames: pg.Frames})
		lo, hi := pg.WaitRange()
		if len(e.g.IDs) == 0 || lo < e.wait[0] {
			e.wait[0] = lo
		}
		e.wait[1] = max(e.wait[1], hi)
		e.g.IDs = slices.Grow(e.g.IDs, len(pg.Members)) // once, not by halves
		for _, m := range pg.Members {
			if c.ev != nil {
				e.facts.noteMember(c.ev, &m)
			}
			e.g.IDs = append(e.g.IDs, m.ID)
			c.hasMain = c.hasMain || m.ID == 1
			c.noteParent(e, &m) // orphan.go
			if multi {
				c.last = append(c.last, seen{m.ID, e, m.WaitMinutes, m.ParentID})
			}
		}
	}
}

// sameProcess decides whether the first and last snapshots come from one
// process: goroutine IDs are never reused within a process, so shared IDs
// whose goroutines kept their creator are the same goroutines.
func (c *comparer) sameProcess() bool {
	if c.n < 2 {
		return false
	}
	c.join()
	switch c.opts.Match {
	case MatchID:
		// Trusted, but only where there are IDs to trust: debug=1 and
		// protobuf profiles have none, and matching them "by ID" would
		// call every goroutine old.
		return !c.stackOnly
	case MatchStack:
		return false
	}
	if c.stackOnly {
		return false
	}
	return c.shared > 0 && c.sameCreator*10 >= c.shared*9
}

func creator(g *parse.Group) string {
	if g == nil || g.CreatedBy == nil {
		return ""
	}
	return g.CreatedBy.Func
}

// label fills the group's stack, label, class, reason and fix from its
// representative stack: the same stack gets the same label in any report.
func (c *comparer) label(e *entry) {
	g, rep := e.g, e.rep
	g.State = rep.State
	g.Frames = rep.Frames
	g.CreatedBy = rep.CreatedBy
	g.Site = Site(rep.Frames)
	g.Split = rep.Split
	st := &Stack{State: rep.State, Frames: rep.Frames, CreatedBy: rep.CreatedBy, LabelSets: rep.LabelSets, Count: rep.Count}
	if st.State == "" {
		st.State = inferState(rep.Frames)
	}
	if st.State == "" {
		st.State = c.inferHidden(rep.Frames) // debug1.go
	}
	r := match(c.opts.Rules, st)
	g.Label, g.Class, g.Reason, g.Fix = r.Label, r.Class, r.Reason, r.Fix
	if (g.Label == ChanReceive || g.Label == Select) && g.Site != nil {
		text := c.src.lines(g.Site.File)
		g.NoSource = text == nil
		lines, n := text.window(g.Site.Line)
		// A program with a signal.NotifyContext alive most likely waits
		// on that context: one that ends with the process, not a
		// dropped cancel func.
		if l := refine(g.Label, lines, n); l != g.Label && !(l == ContextNeverCancelled && c.signalCtx) {
			info := labels[l]
			g.Label, g.Class, g.Reason, g.Fix = l, info.Class, info.Reason, info.Fix
		}
	}
	if why := ignored(c.opts.Ignore, c.hits, st); why != "" {
		g.Ignored = "ignored: " + why
	}
}

// groupID is a short, stable name for a group key: the same stack gives the
// same ID in every report, so scripts can follow a group across runs.
func groupID(key string) string {
	sum := sigkey.Digest(key)
	return hex.EncodeToString(sum[:6])
}
