package classify_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// startOrphans starts n senders on an unbuffered channel from a goroutine
// that returns at once, as a function that gave up on its results does.
// release lets them finish.
func startOrphans(n int) (release func()) {
	results := make(chan int)
	started := make(chan struct{})
	go func() {
		for i := range n {
			go func() { results <- i }()
		}
		close(started)
	}()
	<-started
	return func() {
		for range n {
			<-results
		}
	}
}

// startKeptSenders starts n senders whose creator stays, blocked too.
func startKeptSenders(n int) (release func()) {
	results, done := make(chan int), make(chan struct{})
	ready := make(chan struct{})
	go func() {
		for i := range n {
			go func() { results <- i }()
		}
		close(ready)
		<-done
	}()
	<-ready
	return func() {
		for range n {
			<-results
		}
		close(done)
	}
}

func stacks(t *testing.T) *parse.Snapshot {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			s, err := parse.Read(bytes.NewReader(buf[:n]), "now")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestOrphanedSenders: in one real dump, senders whose creator has exited
// are suspects; senders whose creator is still there are not.
func TestOrphanedSenders(t *testing.T) {
	releaseOrphans := startOrphans(3)
	defer releaseOrphans()
	releaseKept := startKeptSenders(2)
	defer releaseKept()
	var r *classify.Report
	deadline := time.Now().Add(5 * time.Second)
	for {
		r = classify.Compare([]*parse.Snapshot{stacks(t)}, nil)
		sends := 0
		for _, g := range r.Groups {
			if g.Label == classify.ChanSend {
				sends += g.Counts[0]
			}
		}
		if sends == 5 || time.Now().After(deadline) {
			break
		}
		runtime.Gosched()
	}
	got := map[string]classify.Verdict{}
	for _, g := range r.Groups {
		if g.Label != classify.ChanSend {
			continue
		}
		switch {
		case strings.Contains(g.CreatedBy.Func, "startOrphans"):
			got["orphans"] = g.Verdict
			if g.Counts[0] != 3 || !strings.Contains(strings.Join(g.Evidence, ";"), "has exited") {
				t.Errorf("orphans: %d goroutines, evidence %q", g.Counts[0], g.Evidence)
			}
		case strings.Contains(g.CreatedBy.Func, "startKeptSenders"):
			got["kept"] = g.Verdict
		}
	}
	if got["orphans"] != classify.Suspect || got["kept"] != classify.OK {
		t.Errorf("verdicts %v, want orphans suspect and kept ok", got)
	}
}
