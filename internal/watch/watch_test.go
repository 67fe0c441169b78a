package watch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
)

// parkSend blocks sending on ch: the goroutines a test leaks on purpose.
func parkSend(ch chan int) { ch <- 1 }

// ownDumps returns real debug=2 dumps of this process taken while n[i]
// goroutines are parked in parkSend, by its own pprof handler.
func ownDumps(t *testing.T, n ...int) [][]byte {
	t.Helper()
	srv := httptest.NewServer(pprof.Handler("goroutine"))
	defer srv.Close()
	client := capture.NewClient()
	var out [][]byte
	for _, k := range n {
		ch := make(chan int)
		var wg sync.WaitGroup
		for range k {
			wg.Go(func() { parkSend(ch) })
		}
		time.Sleep(20 * time.Millisecond) // until they are parked
		resp, err := client.Get(srv.URL + "?debug=2")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
		for range k {
			<-ch
		}
		wg.Wait()
	}
	return out
}

// serveSeq serves dumps[i] at the i-th request of the goroutine profile
// (the last one after that), status codes from fail by that number,
// and no goroutineleak profile.
func serveSeq(t *testing.T, dumps [][]byte, fail map[int]int) *httptest.Server {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/goroutineleak") {
			http.NotFound(w, r)
			return
		}
		i := int(n.Add(1)) - 1
		if code := fail[i]; code != 0 {
			http.Error(w, "down for a moment", code)
			return
		}
		w.Write(dumps[min(i, len(dumps)-1)])
	}))
	t.Cleanup(srv.Close)
	return srv
}

// record runs a watch and returns its events in the order the sink got
// them.
func record(t *testing.T, opts Options) ([]Event, *End) {
	t.Helper()
	var events []Event
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	end := New(opts, func(ev Event) { events = append(events, ev) }).Run(ctx)
	if err := checkSummaries(events, end); err != nil {
		t.Errorf("the watch's totals disagree with its events:\n%v", err)
	}
	return events, end
}

// TestWatcherEvents watches a process whose parked senders rise at every
// fetch and whose endpoint fails once: the sink gets the fallback note,
// then per round the events in order and a Round status, a growing then a
// leak event judged by classify, down and up, and a Summary whose End
// matches.
func TestWatcherEvents(t *testing.T) {
	dumps := ownDumps(t, 1, 2, 3, 4, 5)
	// The 5th round's fetch fails; the 6th gets the last dump again.
	srv := serveSeq(t, dumps, map[int]int{4: http.StatusServiceUnavailable})
	events, end := record(t, Options{Targets: []Target{{URL: srv.URL}}, Interval: time.Millisecond, Count: 6})

	var got []string
	var leak *classify.Group
	for _, ev := range events {
		line := string(ev.Kind)
		switch {
		case ev.Group != nil && ev.Group.Site != nil && strings.HasSuffix(ev.Group.Site.Func, ".parkSend"):
			line += fmt.Sprintf(" parkSend %s %v: %s", ev.Group.Verdict, ev.Trend, ev.Why)
			if ev.Kind == Leak {
				leak = ev.Group
			}
		case ev.Group != nil:
			line += " " + string(ev.Group.Label) // not expected: shown by the diff
		case ev.Kind == Down:
			line += ": " + ev.Err.Error()
		case ev.Kind == Round:
			line += fmt.Sprintf(" %d, %d down, %d leaks", ev.Status.Round, ev.Status.Down, ev.Status.LeakGroups)
		case ev.Kind == Note:
			line += ": " + ev.Why
		}
		if ev.Kind != Round && ev.Kind != Summary && ev.Target != srv.URL {
			t.Errorf("%s event names %q, want %q", ev.Kind, ev.Target, srv.URL)
		}
		got = append(got, line)
	}
	want := []string{
		"note: " + fallbackNote,
		"round 1, 0 down, 0 leaks",
		"round 2, 0 down, 0 leaks",
		"growing parkSend suspect [1 2 3]: rose at each of the last 2 fetches: 1 → 2 → 3",
		"round 3, 0 down, 0 leaks",
		"leak parkSend leak [1 2 3 4]: rose at each of the last 3 fetches: 1 → 2 → 3 → 4",
		"round 4, 0 down, 1 leaks",
		"down: HTTP 503 Service Unavailable: down for a moment",
		"round 5, 1 down, 1 leaks",
		"up",
		"round 6, 0 down, 1 leaks",
		"summary",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if leak == nil || !strings.Contains(strings.Join(leak.Evidence, "; "), "rose at each of the last 3 fetches") {
		t.Errorf("the leak's group lacks the rise in its evidence: %+v", leak)
	}
	last := events[len(events)-1]
	if last.End != end || end.Rounds != 6 || !end.Leak || !end.Suspect || len(end.Targets) != 1 {
		t.Fatalf("end %+v (event's %p, returned %p)", end, last.End, end)
	}
	te := end.Targets[0]
	if te.Fetches != 5 || te.Failed != 1 || te.LeakGroups != 1 || len(te.Leaks) != 1 || te.Leaks[0].IDs != nil || te.LastErr == nil {
		t.Errorf("target end %+v", te)
	}
}

// TestWatcherLeakProfileMissing: insisting on the goroutineleak profile,
// a target that answers 404 is down, told why from the status of
// capture's FetchError, without the URL the event names already.
func TestWatcherLeakProfileMissing(t *testing.T) {
	srv := serveSeq(t, ownDumps(t, 0), nil)
	events, end := record(t, Options{Targets: []Target{{URL: srv.URL, Name: "svc"}}, LeakProfile: true, Interval: time.Millisecond, Count: 2})
	var downs []string
	for _, ev := range events {
		if ev.Kind == Down {
			downs = append(downs, ev.Target+": "+ev.Err.Error())
		}
	}
	want := []string{"svc: HTTP 404 Not Found for /debug/pprof/goroutineleak?debug=2; is net/http/pprof registered on this server? (" + needsGo127 + ")"}
	if diff := cmp.Diff(want, downs); diff != "" {
		t.Errorf("down events, said once (-want +got):\n%s", diff)
	}
	if end.Targets[0].Fetches != 0 || end.Targets[0].Failed != 2 {
		t.Errorf("target end %+v", end.Targets[0])
	}
}

// TestWatcherProfileNote: a URL that gives the protobuf profile (no
// ?debug=) is watched, and the watch says once what that profile lacks.
func TestWatcherProfileNote(t *testing.T) {
	srv := httptest.NewServer(pprof.Handler("goroutine"))
	t.Cleanup(srv.Close)
	events, end := record(t, Options{Targets: []Target{{URL: srv.URL + "/debug/pprof/goroutine"}}, Interval: time.Millisecond, Count: 3})
	notes := 0
	for _, ev := range events {
		if ev.Kind == Note {
			notes++
			if !strings.Contains(ev.Why, "pprof-proto profile, without goroutine states, IDs or creators") {
				t.Errorf("note %q", ev.Why)
			}
		}
	}
	if notes != 1 || end.Targets[0].Fetches != 3 {
		t.Errorf("%d notes over %d fetches, want 1 over 3", notes, end.Targets[0].Fetches)
	}
}
