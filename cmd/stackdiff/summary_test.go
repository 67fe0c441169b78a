package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONSummaryAddsUp: the CLI's summary is classify's, so its totals
// are its groups' totals, for every sample pair and every SIGQUIT sample.
func TestJSONSummaryAddsUp(t *testing.T) {
	type totals struct{ New, Leaked, InLeakGroups, NewInLeakGroups, LeakGroups, SuspectGroups int }
	befores, _ := filepath.Glob("../../samples/dumps/*/before.txt")
	if len(befores) < 20 {
		t.Fatalf("found %d sample pairs", len(befores))
	}
	for _, before := range befores {
		dir := filepath.Dir(before)
		for _, args := range [][]string{{before, filepath.Join(dir, "after.txt")}, {filepath.Join(dir, "sigquit.txt")}} {
			var stdout, stderr bytes.Buffer
			if code := run(append([]string{"--json"}, args...), nil, &stdout, &stderr); code == exitTrouble {
				continue // a sample without a SIGQUIT dump
			}
			var out struct {
				Groups []struct {
					Verdict string
					Counts  []int
					New     int
				}
				Summary struct {
					New             int
					Leaked          int
					InLeakGroups    int `json:"in_leak_groups"`
					NewInLeakGroups int `json:"new_in_leak_groups"`
					LeakGroups      int `json:"leak_groups"`
					SuspectGroups   int `json:"suspect_groups"`
				}
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			var want totals
			for _, g := range out.Groups {
				last := g.Counts[len(g.Counts)-1]
				want.New += g.New
				switch g.Verdict {
				case "leak":
					want.LeakGroups++
					want.Leaked += last
					want.InLeakGroups += last
					want.NewInLeakGroups += g.New
				case "suspect":
					want.SuspectGroups++
				}
			}
			s := out.Summary
			got := totals{s.New, s.Leaked, s.InLeakGroups, s.NewInLeakGroups, s.LeakGroups, s.SuspectGroups}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%v: summary does not add up to the groups (-groups +summary):\n%s", args, diff)
			}
		}
	}
}
