package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stackdiff/stackdiff/internal/watch"
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
// watch.MaxLeaksKept groups and counts the rest, and the JSON summary still
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
	if n := strings.Count(summary, "\n  leak "); n != watch.MaxLeaksKept {
		t.Errorf("summary lists %d leak groups, want %d", n, watch.MaxLeaksKept)
	}
	if want := fmt.Sprintf("\n  and %d more (at most %d leak groups are kept per target and listed)\n", total-watch.MaxLeaksKept, watch.MaxLeaksKept); !strings.Contains(summary, want) {
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
