// Package summarytest checks a classify.Report's summary against its
// groups, for the tests of every entry point (the CLI, Compare, capture's
// VerifyNone, Find and Diff, the watch): the summary is written in one
// place, and each caller must show the same totals its groups add up to.
package summarytest

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
	"github.com/stackdiff/stackdiff/classify"
)

// Check returns an error describing every total of r.Summary that its
// groups do not add up to, or nil.
func Check(r *classify.Report) error {
	if r == nil {
		return fmt.Errorf("nil report")
	}
	want := r.Summary // Goroutines are per input, not per group: keep them
	want.New, want.Leaked, want.InLeakGroups, want.NewInLeakGroups = 0, 0, 0, 0
	want.GCProven, want.LeakGroups, want.SuspectGroups = 0, 0, 0
	for _, g := range r.Groups {
		last := 0
		if n := len(g.Counts); n > 0 {
			last = g.Counts[n-1]
		}
		want.New += g.New
		want.GCProven += g.GCProven
		switch g.Verdict {
		case classify.Leak:
			want.LeakGroups++
			want.Leaked += last
			want.InLeakGroups += last
			want.NewInLeakGroups += g.New
		case classify.Suspect:
			want.SuspectGroups++
		}
	}
	if diff := cmp.Diff(want, r.Summary); diff != "" {
		return fmt.Errorf("summary does not add up to the groups (-groups +summary):\n%s", diff)
	}
	return nil
}
