package classify_test

import (
	"bytes"
	"net"
	"runtime"
	"strings"
	"sync"
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

// awake keeps one goroutine of the test process waiting on the network, as
// a service's listener does, so that a dump of the process is not a stopped
// one (stalled.go) and the rule under test is judged alone.
func awake(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
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
	awake(t)
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

// TestShareCrowd: in a small program, a dozen goroutines parked on one
// lock are a finding, though far below the crowd size of a big service; a
// dozen idle workers on one channel receive are not.
func TestShareCrowd(t *testing.T) {
	awake(t)
	var mu sync.Mutex
	mu.Lock()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(2)
		go func() { defer wg.Done(); mu.Lock(); mu.Unlock() }()
		go func() { defer wg.Done(); <-jobs }()
	}
	defer func() { mu.Unlock(); close(jobs); wg.Wait() }()

	got := map[classify.Label]classify.Verdict{}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := classify.Compare([]*parse.Snapshot{stacks(t)}, nil)
		n := map[classify.Label]int{}
		for _, g := range r.Groups {
			if g.CreatedBy != nil && strings.Contains(g.CreatedBy.Func, "TestShareCrowd") {
				n[g.Label] += g.Counts[0]
				got[g.Label] = g.Verdict
			}
		}
		if n[classify.MutexLock] == 12 && n[classify.ChanReceive] == 12 || time.Now().After(deadline) {
			break
		}
		runtime.Gosched()
	}
	want := map[classify.Label]classify.Verdict{classify.MutexLock: classify.Suspect, classify.ChanReceive: classify.OK}
	if got[classify.MutexLock] != want[classify.MutexLock] || got[classify.ChanReceive] != want[classify.ChanReceive] {
		t.Errorf("verdicts %v, want %v", got, want)
	}
}

// TestOrphanThroughSpawner: errgroup.Group.Go has always returned, so it
// proves nothing; the closure it ran names the function that called it,
// and that function returning is what leaves the sender without a
// receiver (a real dump of the errgroup-early-return sample).
func TestOrphanThroughSpawner(t *testing.T) {
	snap := readPair(t, "errgroup-early-return")[1]
	r := classify.Compare([]*parse.Snapshot{snap}, nil)
	for _, g := range r.Groups {
		if g.Label != classify.ChanSend {
			continue
		}
		says := strings.Join(g.Evidence, "; ")
		if g.Verdict != classify.Suspect || !strings.Contains(says, "scenarios.squaresUntilError, which started it, has returned") {
			t.Errorf("sender %s, evidence %q; want a suspect whose creator squaresUntilError returned", g.Verdict, says)
		}
		return
	}
	t.Fatal("no chan-send group")
}

// TestOrphansNeedAWholeDump: a goroutine whose parent is not in the dump
// has lost its parent only if the dump holds every goroutine; a paste of a
// few goroutines (no goroutine 1) says nothing of the others.
func TestOrphansNeedAWholeDump(t *testing.T) {
	const sender = "goroutine 5 [chan send]:\nexample.com/app.fetch.func1()\n\tapp/fetch.go:12 +0x1d\ncreated by example.com/app.fetch in goroutine 3\n\tapp/fetch.go:10 +0x2f\n\n"
	const main1 = "goroutine 1 [running]:\nmain.main()\n\tapp/main.go:5 +0x10\n\n"
	for _, tc := range []struct {
		dump   string
		orphan bool
	}{{main1 + sender, true}, {sender, false}} {
		s, err := parse.Read(strings.NewReader(tc.dump), "dump")
		if err != nil {
			t.Fatal(err)
		}
		says := false
		for _, g := range classify.Compare([]*parse.Snapshot{s}, nil).Groups {
			says = says || strings.Contains(strings.Join(g.Evidence, ";"), "has exited")
		}
		if says != tc.orphan {
			t.Errorf("dump with goroutine 1 = %v: orphan evidence %v, want %v", strings.HasPrefix(tc.dump, "goroutine 1 "), says, tc.orphan)
		}
	}
}
