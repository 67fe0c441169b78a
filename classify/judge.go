package classify

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/parse"
)

// The third step of Compare: each group's numbers and verdict, from the
// counts, IDs, labels and options the first two steps wrote.

// judgeAll gives every group its numbers and verdict, and builds the report
// in verdict order.
func (c *comparer) judgeAll(snaps []*parse.Snapshot) *Report {
	r := &Report{SameProcess: c.same, IgnoreHits: c.hits}
	for _, s := range snaps {
		r.Inputs = append(r.Inputs, Input{Name: s.Name, Format: s.Format, Goroutines: s.Count(), Groups: len(s.Groups), Warnings: s.Warnings, Event: s.Event, LeftOut: s.LeftOut})
		r.Summary.Goroutines = append(r.Summary.Goroutines, s.Count())
	}
	firstName := ""
	if len(snaps) > 0 {
		firstName = snaps[0].Name
	}
	for _, e := range c.order {
		g := e.g
		g.ID = groupID(g.Key)
		slices.Sort(g.IDs)
		g.Delta = g.Counts[c.n-1] - g.Counts[0]
		g.Leaked = e.leaked[c.n-1]
		g.GCProven = g.Leaked
		g.WaitMinutes = e.wait
		if c.n > 1 {
			if c.same {
				g.NewIDs = e.newIDs
				g.New = len(g.NewIDs)
			} else {
				g.New = max(0, g.Delta)
			}
		}
	}
	if c.n > 1 && !r.SameProcess {
		c.newByOrigin() // origin.go: goroutines that only moved are not new
	}
	if c.n > 1 {
		c.unhideSystem()
		c.findConnBound() // conns.go
	}
	c.countSites()          // suspicion.go
	c.stall = c.findStall() // stalled.go
	for _, e := range c.order {
		g := e.g
		c.judge(e, firstName)
		g.Suspicion = c.suspicion(g)
		r.Groups = append(r.Groups, g)
		r.Summary.New += g.New
		r.Summary.GCProven += g.GCProven
		switch g.Verdict {
		case Leak:
			r.Summary.LeakGroups++
			r.Summary.Leaked += g.Counts[c.n-1]
			r.Summary.InLeakGroups += g.Counts[c.n-1]
			r.Summary.NewInLeakGroups += g.New
		case Suspect:
			r.Summary.SuspectGroups++
		}
	}
	// Holders are judged last: they follow from the waiters' verdicts.
	r.Summary.SuspectGroups += len(c.findHolders(r.Groups)) // holder.go
	setOrigins(r.Groups, snaps)
	// A diff puts the groups that grew most first; a single dump, having
	// no delta, the most suspicious.
	second := func(g *Group) int { return g.Delta }
	if c.n == 1 {
		second = func(g *Group) int { return g.Suspicion }
	}
	slices.SortFunc(r.Groups, func(a, b *Group) int {
		if c := cmp.Compare(a.Verdict.Rank(), b.Verdict.Rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(second(b), second(a)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Counts[len(b.Counts)-1], a.Counts[len(a.Counts)-1]); c != 0 {
			return c
		}
		// Of groups that moved together, the kind of wait that is the
		// finding (a handler) before its companions (its connections).
		if c := cmp.Compare(waitWeight(b), waitWeight(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return r
}

// judge gives the verdict and its evidence.
func (c *comparer) judge(e *entry, firstName string) {
	g := e.g
	if g.Ignored != "" {
		g.Verdict = OK
		g.Evidence = append(g.Evidence, g.Ignored)
		return
	}
	class := g.Class
	verdict := OK
	raise := func(v Verdict, why string) {
		if v.Rank() < verdict.Rank() {
			verdict = v
		}
		g.Evidence = append(g.Evidence, why)
	}
	if g.Leaked > 0 {
		raise(Leak, fmt.Sprintf("gc-proven (leaked): %d of %d", g.Leaked, g.Counts[c.n-1]))
	}
	g.Culprit, g.HungTest = eventVerdict(c.ev, g, e.facts, class, raise)
	orphanVerdict(g, e.orphan, raise)
	stallVerdict(g, c.stall, raise)
	follows := c.follows(e) // conns.go
	if g.New > 0 && !follows {
		why := fmt.Sprintf("%d new since %s", g.New, firstName)
		switch {
		case class == Blocking && c.same && g.Delta <= 0:
			// Goroutines replaced by as many others (workers restarted,
			// a pool renewed): new by ID, but nothing accumulates.
			raise(Suspect, fmt.Sprintf("%s, as many gone: the count did not grow (%s)", why, display.JoinCounts(g.Counts)))
		case class == Blocking:
			raise(Leak, why)
		case class == Doubtful, class == Unknown:
			raise(Suspect, why)
		}
	}
	if c.n >= 3 && grewEveryStep(g.Counts) && !follows {
		why := "grew in every snapshot: " + display.JoinCounts(g.Counts)
		switch class {
		case Blocking, Doubtful:
			raise(Leak, why)
		case Unknown:
			raise(Suspect, why)
		}
	}
	// Long-lived is a finding only for a kind of wait that is abnormal when
	// long: a listener, an event loop, a worker waiting for jobs wait for
	// the life of their server.
	if c.same && e.persisted > 0 && class != Benign && longIsAbnormal(g) {
		raise(Suspect, fmt.Sprintf("%d goroutines blocked since the first snapshot (wait %d → %d minutes)", e.persisted, e.waitFrom, e.waitTo))
	}
	last := g.Counts[c.n-1]
	if last > 0 && class != Benign {
		if (g.Label == NilChan || g.Label == SelectNoCases) && !inMain(g) {
			raise(Suspect, "outside main, this wait can never end")
		}
	}
	c.judgeWait(g, raise) // per-kind wait and crowd thresholds (suspicion.go)
	if c.opts.Outlived != nil {
		verdict = Leak
		g.Evidence = append(g.Evidence, c.opts.Outlived(g)...)
	}
	g.Verdict = verdict
}

// unhideSystem keeps the runtime's own goroutines from counting as new
// when the first snapshot's format does not print them (runtime.Stack and
// the pprof handlers hide them; a SIGQUIT dump shows them): they were
// there all along.
func (c *comparer) unhideSystem() {
	for _, e := range c.order {
		if e.g.Label == System && e.g.Counts[0] > 0 {
			return // the first snapshot shows them: counts compare
		}
	}
	for _, e := range c.order {
		if e.g.Label == System {
			e.g.New, e.g.NewIDs = 0, nil
		}
	}
}

// inMain reports whether the goroutine is the program's main goroutine,
// where a final select {} or nil-channel wait is a deliberate park.
func inMain(g *Group) bool {
	return g.CreatedBy == nil && slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return f.Func == "main.main" })
}

func grewEveryStep(counts []int) bool {
	for i := 1; i < len(counts); i++ {
		if counts[i] <= counts[i-1] {
			return false
		}
	}
	return true
}
