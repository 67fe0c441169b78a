package watch

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

func TestLeakURL(t *testing.T) {
	got := []string{
		leakURL("http://h:6060"),
		leakURL("http://h:6060/"),
		leakURL("http://h:6060/debug/pprof/goroutine?debug=1"),
		leakURL("http://h:6060/admin/pprof/goroutine"),
		leakURL("http://h:6060/custom/dump"),
	}
	want := []string{
		"http://h:6060/debug/pprof/goroutineleak?debug=2",
		"http://h:6060/debug/pprof/goroutineleak?debug=2",
		"http://h:6060/debug/pprof/goroutineleak?debug=1",
		"http://h:6060/admin/pprof/goroutineleak",
		"http://h:6060/custom/dump",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestWatchTargetKeepsBoundedLeaks: however many leak groups a target
// shows, it keeps MaxLeaksKept of them and counts the rest.
func TestWatchTargetKeepsBoundedLeaks(t *testing.T) {
	tg := &target{leaks: map[string]*classify.Group{}}
	const n = 10_000
	for i := range n {
		tg.addLeak(&classify.Group{ID: fmt.Sprint(i), IDs: []int64{int64(i)}})
		tg.addLeak(&classify.Group{ID: "0"}) // the first, again: kept once
	}
	if len(tg.leaks) != MaxLeaksKept || tg.leakCount() != n {
		t.Errorf("%d kept, %d counted; want %d kept, %d counted", len(tg.leaks), tg.leakCount(), MaxLeaksKept, n)
	}
	for id, g := range tg.leaks {
		if g.IDs != nil {
			t.Errorf("group %s keeps its goroutine IDs", id)
		}
	}
}

// TestKeepLargest: a snapshot is cut to its largest groups, in its own
// order, and the cut is counted.
func TestKeepLargest(t *testing.T) {
	f, err := os.Open("../../parse/testdata/generated/sigquit_gotraceback_all.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snaps, err := parse.ReadAll(f, "sigquit")
	if err != nil {
		t.Fatal(err)
	}
	s := snaps[0]
	counts := func() []int {
		var out []int
		for _, g := range s.Groups {
			out = append(out, g.Count)
		}
		return out
	}
	all := counts()
	if len(all) < 4 {
		t.Fatalf("%d groups in the dump, want 4 or more", len(all))
	}
	if n := keepLargest(s, len(all)); n != 0 || !slices.Equal(counts(), all) {
		t.Errorf("at the limit: %d dropped, counts %v; want none dropped", n, counts())
	}
	before := slices.Clone(s.Groups)
	const limit = 3
	sorted := slices.Clone(all)
	slices.SortStableFunc(sorted, func(a, b int) int { return b - a })
	n := keepLargest(s, limit)
	got := counts()
	if n != len(all)-limit || len(got) != limit {
		t.Fatalf("%d dropped, %d kept; want %d and %d", n, len(got), len(all)-limit, limit)
	}
	if slices.Max(got) != sorted[0] || slices.Min(got) < sorted[limit-1] {
		t.Errorf("kept counts %v of %v: not the %d largest", got, all, limit)
	}
	at := -1
	for _, g := range s.Groups {
		i := slices.Index(before, g)
		if i <= at {
			t.Errorf("kept groups out of their order: %d after %d", i, at)
		}
		at = i
	}
}

func TestTargetURLs(t *testing.T) {
	type urls struct{ Fetch, Fallback string }
	var got []urls
	for _, tc := range []struct {
		raw    string
		insist bool
	}{
		{"http://h:6060", false},
		{"http://h:6060/debug/pprof/goroutine?debug=2", false},
		{"http://h:6060/debug/pprof/goroutine?debug=1", false}, // the leak profile at debug=1 lists only leaks
		{"http://h:6060/debug/pprof/goroutine", false},
		{"http://h:6060/debug/pprof/goroutine?debug=1", true},
		{"http://h:6060", true},
	} {
		f, fb := targetURLs(tc.raw, tc.insist)
		got = append(got, urls{f, fb})
	}
	want := []urls{
		{"http://h:6060/debug/pprof/goroutineleak?debug=2", "http://h:6060"},
		{"http://h:6060/debug/pprof/goroutineleak?debug=2", "http://h:6060/debug/pprof/goroutine?debug=2"},
		{"http://h:6060/debug/pprof/goroutine?debug=1", ""},
		{"http://h:6060/debug/pprof/goroutine", ""},
		{"http://h:6060/debug/pprof/goroutineleak?debug=1", ""},
		{"http://h:6060/debug/pprof/goroutineleak?debug=2", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
