package watch

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// baselineName names a target's first snapshot in the evidence of its
// groups ("3 new since the start of the watch").
const baselineName = "the start of the watch"

// observe compares a target's latest snapshot with its baseline, runs the
// window's rules and has classify judge what they saw. It returns the
// events, their groups copied as they are now. Observations are made one
// at a time: they share the watch's leak and suspect flags.
func (w *Watcher) observe(t *target, snap *parse.Snapshot, out []pending) []pending {
	writer := snap.WriterID()
	snap.DropWriters()
	if w.opts.ByLabel != "" {
		parse.SplitByLabel(snap, w.opts.ByLabel)
	}
	for _, l := range w.opts.SplitOff {
		parse.SplitOffLabel(snap, l.Key, l.Value)
	}
	// The baseline is kept for the whole watch: only the groups the window
	// can follow are kept of any snapshot (see keepLargest).
	untracked := keepLargest(snap, MaxTracked)
	if t.baseline != nil && restarted(t.writer, writer) {
		// Its goroutines are not those of the baseline: start again.
		out = append(out, pending{t: t, ev: Event{Kind: Restart, Target: t.name,
			Why: fmt.Sprintf("goroutine IDs started again (the dump was written by goroutine %d, the last one by %d): a new process, followed from here", writer, t.writer)}})
		t.baseline = nil
		t.win = newWindow(defaultRises, w.opts.Threshold, MaxTracked)
	}
	t.win.dropped = max(t.win.dropped, untracked)
	if writer > 0 {
		t.writer = writer
	}
	if t.baseline == nil {
		snap.Name = baselineName
		t.baseline = snap
	}
	rep := classify.Compare([]*parse.Snapshot{t.baseline, snap}, &w.classify)
	samples := make([]sample, 0, len(rep.Groups))
	byID := make(map[string]*classify.Group, len(rep.Groups))
	for _, g := range rep.Groups {
		n := g.Counts[len(g.Counts)-1]
		if n == 0 {
			continue // gone since the start
		}
		s := sample{id: g.ID, count: n, verdict: g.Verdict, class: g.Class, leaked: g.Leaked, fresh: g.New > 0, minWait: g.WaitMinutes[0]}
		if len(g.IDs) > 0 {
			s.maxGID = g.IDs[len(g.IDs)-1]
		}
		samples = append(samples, s)
		byID[g.ID] = g
	}
	for _, ch := range t.win.step(samples, snap.MaxID()) {
		g := byID[ch.id]
		switch ch.kind {
		case Leak:
			// What the window saw is evidence, as a series' growth is
			// for Compare; classify gives the verdict it makes.
			classify.Observe(g, ch.saw, ch.why)
			w.leak = true
			t.addLeak(g)
		case Growing, Threshold:
			w.suspect = true
		}
		shown := *g // as it is now: a later event may change its verdict
		if _, leaked := t.leaks[g.ID]; !leaked {
			shown.Verdict = classify.Unproven(shown.Verdict)
		}
		out = append(out, pending{t: t, ev: Event{Kind: ch.kind, Target: t.name, Group: &shown, Why: ch.why}})
	}
	return out
}

// restarted reports whether a dump written by goroutine now, after one
// written by goroutine last, comes from a new process. Each fetch is served
// by the goroutine of a new connection, and goroutine IDs only grow within
// a process, give or take the batches of 16 each processor takes: a writer
// far below the last one (under half of it, and over 1024 below) means the
// IDs started again. A service that restarts with fewer than about 1024
// goroutines created is not told apart.
func restarted(last, now int64) bool {
	return last > 0 && now > 0 && now*2 < last && last-now > 1024
}

// keepLargest drops all but the limit largest groups of s (the first in
// s's order among equals), keeping their order, and returns how many it
// dropped: a target's snapshots, its baseline kept for the whole watch
// among them, hold at most the groups its window can follow.
func keepLargest(s *parse.Snapshot, limit int) int {
	n := len(s.Groups)
	if n <= limit {
		return 0
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(s.Groups[b].Count, s.Groups[a].Count) })
	keep := make([]bool, n)
	for _, i := range order[:limit] {
		keep[i] = true
	}
	kept := s.Groups[:0]
	for i, g := range s.Groups {
		if keep[i] {
			kept = append(kept, g)
		}
	}
	clear(s.Groups[len(kept):]) // let the dropped groups go
	s.Groups = kept
	return n - limit
}
