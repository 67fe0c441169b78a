package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/internal/safetext"
)

// maxSummaryLeaks bounds the leak groups a watch keeps per target for its
// summary (and the summary's lines of leak groups): a service that leaks a
// new kind of goroutine at every fetch must not grow the watch without end.
const maxSummaryLeaks = 100

// addLeak keeps g for the summary, unless maxSummaryLeaks are kept already.
func (t *watchTarget) addLeak(g *classify.Group) {
	if _, ok := t.leaks[g.ID]; !ok && len(t.leaks) >= maxSummaryLeaks {
		t.leaksMore++
		return
	}
	short := *g
	short.IDs, short.NewIDs = nil, nil
	t.leaks[g.ID] = &short
}

// leakCount is how many leak groups the target had.
func (t *watchTarget) leakCount() int { return len(t.leaks) + t.leaksMore }

// summary prints the end of the watch: the leak groups, then each target.
func (w *watcher) summary(took time.Duration) {
	stamp := time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
	if w.c.json {
		enc := json.NewEncoder(w.stdout)
		for _, t := range w.targets {
			encodeEvent(enc, watchEvent{Target: t.name, Time: stamp, Event: evSummary, Summary: &watchSummary{Fetches: t.fetches, Failed: t.failed, LeakGroups: t.leakCount(), Untracked: t.win.dropped}})
		}
		return
	}
	// One line per leak group, matched across targets by stack; at most
	// maxSummaryLeaks lines, then one counting the rest.
	var ids []string
	groups := map[string]*classify.Group{}
	on := map[string]int{}
	notKept := 0 // leak groups not kept, counted once per target
	for _, t := range w.targets {
		for id, g := range t.leaks {
			if groups[id] == nil {
				ids = append(ids, id)
				groups[id] = g
			}
			on[id]++
		}
		notKept += t.leaksMore
	}
	slices.Sort(ids)
	listed := min(len(ids), maxSummaryLeaks)
	more := len(ids) - listed + notKept
	fmt.Fprintf(w.stdout, "watch ended after %s (%s): %s\n", report.Plural(w.rounds, "round"), took.Round(time.Millisecond), report.Plural(len(ids)+notKept, "leak group"))
	for _, id := range ids[:listed] {
		g := groups[id]
		line := fmt.Sprintf("  leak %s at %s: on %d of %s", safetext.String(string(g.Label)), siteText(g), on[id], report.Plural(len(w.targets), "target"))
		fmt.Fprintln(w.stdout, safetext.Line(line))
	}
	if more > 0 {
		fmt.Fprintf(w.stdout, "  and %d more (at most %d leak groups are kept per target and listed)\n", more, maxSummaryLeaks)
	}
	for _, t := range w.targets {
		line := fmt.Sprintf("  %s: %s, %d failed, %s", safetext.String(t.name), report.Plural(t.fetches, "dump"), t.failed, report.Plural(t.leakCount(), "leak group"))
		if t.win.dropped > 0 {
			line += fmt.Sprintf("; up to %d small groups not followed (over %d groups)", t.win.dropped, maxTracked)
		}
		fmt.Fprintln(w.stdout, safetext.Line(line))
	}
}
