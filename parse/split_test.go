package parse_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

// SplitByLabel splits by a label's value, in tracebacks and in debug=1
// records alike; goroutines without the label stay where they were, and
// the count of the snapshot does not change.
func TestSplitByLabel(t *testing.T) {
	for _, name := range []string{"go127/stack_labels.txt", "go127/pprof_goroutine_debug1.txt"} {
		t.Run(name, func(t *testing.T) {
			s := readOne(t, name)
			before := s.Count()
			parse.SplitByLabel(s, "endpoint")
			if s.Count() != before {
				t.Errorf("count %d after the split, %d before", s.Count(), before)
			}
			got := map[string]int{}
			for _, g := range s.Groups {
				got[g.Split] += g.Count
				for _, ls := range g.LabelSets {
					if g.Split != "" && parse.LabelPair("endpoint", ls.Labels["endpoint"]) != g.Split {
						t.Errorf("group split %q holds label set %v", g.Split, ls.Labels)
					}
				}
			}
			want := map[string]int{"": before - 7, "endpoint=/api/export": 5, "endpoint=/api/import": 2}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("goroutines by split (-want +got):\n%s", diff)
			}
		})
	}
}

// SplitOffLabel moves only the goroutines with key=value; a value with
// characters the runtime quotes is quoted in Split.
func TestSplitOffLabel(t *testing.T) {
	s := readOne(t, "go127/stack_labels.txt")
	parse.SplitOffLabel(s, "k 1", "v with spaces")
	got := 0
	for _, g := range s.Groups {
		if g.Split != "" {
			if g.Split != `"k 1"="v with spaces"` {
				t.Errorf("split %q", g.Split)
			}
			got += g.Count
		}
	}
	if got != 2 {
		t.Errorf("%d goroutines split off, want 2", got)
	}
}

// DeleteMembers keeps a group's count and label sets right.
func TestDeleteMembers(t *testing.T) {
	s := readOne(t, "go127/stack_labels.txt")
	for _, g := range s.Groups {
		if g.Count != 3 {
			continue
		}
		first := g.Members[0].ID
		if n := g.DeleteMembers(func(m parse.Member) bool { return m.ID == first }); n != 1 {
			t.Fatalf("removed %d, want 1", n)
		}
		want := []parse.LabelSet{{Labels: map[string]string{"endpoint": "/api/export", "tenant": "acme"}, Count: 2}}
		if diff := cmp.Diff(want, g.LabelSets); diff != "" || g.Count != 2 {
			t.Errorf("count %d, label sets (-want +got):\n%s", g.Count, diff)
		}
		g.DeleteMembers(func(parse.Member) bool { return true })
		if g.Count != 0 || g.LabelSets != nil {
			t.Errorf("all removed: count %d, label sets %v", g.Count, g.LabelSets)
		}
		return
	}
	t.Fatal("no group of 3 goroutines")
}

// A split by a key, then by one of its pairs (--by-label endpoint with
// --ignore label:endpoint=/api/export) names each group's pair once.
func TestSplitTwiceBySamePair(t *testing.T) {
	s := readOne(t, "go127/stack_labels.txt")
	parse.SplitByLabel(s, "endpoint")
	parse.SplitOffLabel(s, "endpoint", "/api/export")
	got := map[string]int{}
	for _, g := range s.Groups {
		if g.Split != "" {
			got[g.Split] += g.Count
			if strings.Count(g.Key, "\nlabel ") != 1 {
				t.Errorf("group %q has key %q", g.Split, g.Key)
			}
		}
	}
	want := map[string]int{"endpoint=/api/export": 5, "endpoint=/api/import": 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("goroutines by split (-want +got):\n%s", diff)
	}
}

// RecountLabelSets counts the labels given to a group's members.
func TestRecountLabelSets(t *testing.T) {
	s := readOne(t, "go127/stack_labels.txt")
	multi := 0
	for _, g := range s.Groups {
		if len(g.LabelSets) > 1 {
			multi++
		}
		want := g.LabelSets
		g.LabelSets = nil
		g.RecountLabelSets()
		if diff := cmp.Diff(want, g.LabelSets); diff != "" {
			t.Errorf("group %s: label sets (-read +recounted):\n%s", g.Key, diff)
		}
	}
	if multi == 0 {
		t.Error("no group of the dump has two label sets: the order is not tried")
	}
}
