package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// leakedBlocks returns the goroutine blocks of a goroutineleak profile that
// carry the (leaked) mark.
func leakedBlocks(dump []byte) [][]byte {
	var out [][]byte
	for _, block := range bytes.SplitAfter(dump, []byte("\n\n")) {
		if bytes.HasPrefix(block, []byte("goroutine ")) && bytes.Contains(block[:bytes.IndexByte(block, '\n')], []byte("(leaked)")) {
			out = append(out, block)
		}
	}
	return out
}

// TestWatchSummaryIsBounded: a service whose goroutineleak profile shows
// new leaked groups at every fetch (a real profile, its leaked goroutines
// copied to new sites each time) gives a summary that lists at most
// maxSummaryLeaks groups and counts the rest, and the JSON summary still
// counts them all.
func TestWatchSummaryIsBounded(t *testing.T) {
	dump, err := os.ReadFile("../../parse/testdata/generated/goroutineleak_debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	leaked := leakedBlocks(dump)
	if len(leaked) == 0 {
		t.Fatal("no leaked goroutine in the profile")
	}
	const perFetch, rounds = 12, 20
	var fetches atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := int(fetches.Add(1))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(dump)
		for j := range perFetch {
			// Only this fetch's copies: the earlier ones are gone, so
			// all that grows is what the watch keeps.
			w.Write(renumbered(leaked[j%len(leaked)], k*perFetch+j))
		}
	}))
	defer srv.Close()

	var stdout, stderr bytes.Buffer
	code := run([]string{"--watch", "--leakprofile", "--interval", "1ms", "--count", fmt.Sprint(rounds), srv.URL}, nil, &stdout, &stderr)
	if code != exitLeak {
		t.Fatalf("exit %d, want 1; stderr %q", code, stderr.String())
	}
	out := stdout.String()
	summary := out[strings.LastIndex(out, "watch ended after"):]
	total := perFetch*rounds + 5 // the copies, and the profile's own 5 groups
	if !strings.Contains(summary, fmt.Sprintf(": %d leak groups\n", total)) {
		t.Errorf("summary does not count %d leak groups:\n%.300s", total, summary)
	}
	if n := strings.Count(summary, "\n  leak "); n != maxSummaryLeaks {
		t.Errorf("summary lists %d leak groups, want %d", n, maxSummaryLeaks)
	}
	if want := fmt.Sprintf("\n  and %d more (at most %d leak groups are kept per target and listed)\n", total-maxSummaryLeaks, maxSummaryLeaks); !strings.Contains(summary, want) {
		t.Errorf("summary lacks %q", want)
	}

	stdout.Reset()
	fetches.Store(0)
	run([]string{"--watch", "--json", "--leakprofile", "--interval", "1ms", "--count", fmt.Sprint(rounds), srv.URL}, nil, &stdout, &stderr)
	events := ndjson(t, stdout.Bytes())
	last := events[len(events)-1]
	if last.Event != evSummary || last.Summary == nil || last.Summary.LeakGroups != total {
		t.Errorf("last event %+v, want a summary of %d leak groups", last, total)
	}
}

// TestWatchTargetKeepsBoundedLeaks: however many leak groups a target
// shows, it keeps maxSummaryLeaks of them and counts the rest.
func TestWatchTargetKeepsBoundedLeaks(t *testing.T) {
	tg := &watchTarget{leaks: map[string]*classify.Group{}}
	const n = 10_000
	for i := range n {
		tg.addLeak(&classify.Group{ID: fmt.Sprint(i), IDs: []int64{int64(i)}})
		tg.addLeak(&classify.Group{ID: "0"}) // the first, again: kept once
	}
	if len(tg.leaks) != maxSummaryLeaks || tg.leakCount() != n {
		t.Errorf("%d kept, %d counted; want %d kept, %d counted", len(tg.leaks), tg.leakCount(), maxSummaryLeaks, n)
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
	snaps, err := parse.ReadAll(strings.NewReader(fileText(t, "../../parse/testdata/generated/sigquit_gotraceback_all.txt")), "sigquit")
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
