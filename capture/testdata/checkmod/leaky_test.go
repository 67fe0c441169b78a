// Package leaky is the module TestCheckInAModule builds and tests: tests
// that leak, beside tests that do not, each calling capture.Check.
package leaky

import (
	"context"
	"errors"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
)

// wait leaves a loaded machine time to end the goroutines that do end;
// short keeps the leaks the GC cannot prove (all of them before Go 1.27)
// from costing the default wait: those goroutines never end.
var (
	wait  = capture.MaxWait(time.Second)
	short = capture.MaxWait(300 * time.Millisecond)
)

//go:noinline
func parkedSend(ch chan int) { ch <- 1 }

//go:noinline
func parkedRecv(ch chan int) { <-ch }

// global is reachable for ever: the GC cannot prove a goroutine on it leaked.
var global = make(chan int)

//go:noinline
func parkedOnGlobal() { <-global }

// leakThroughExited leaks a goroutine whose parent has exited by the time
// the test ends.
func leakThroughExited() {
	ch := make(chan int)
	started := make(chan struct{})
	go func() {
		go parkedSend(ch)
		close(started)
	}()
	<-started
}

// work starts goroutines that finish, some after the test has returned.
func work() {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { time.Sleep(time.Millisecond) })
	}
	wg.Wait()
	go time.Sleep(20 * time.Millisecond)
}

func TestParallelLeaky(t *testing.T) {
	capture.Check(t, short)
	t.Parallel()
	leakThroughExited()
}

func TestParallelClean(t *testing.T) {
	capture.Check(t, wait)
	t.Parallel()
	work()
}

func TestParallelCleanToo(t *testing.T) {
	capture.Check(t, wait)
	t.Parallel()
	work()
}

func TestSerialLeaky(t *testing.T) {
	capture.Check(t, short)
	ch := make(chan int)
	go parkedRecv(ch)
}

func TestSerialAfter(t *testing.T) {
	capture.Check(t, wait)
	work()
}

func TestSerialGlobal(t *testing.T) {
	capture.Check(t, short)
	go parkedOnGlobal()
}

func TestSerialAfterToo(t *testing.T) {
	capture.Check(t, wait)
	work()
}

func TestSubtests(t *testing.T) {
	capture.Check(t, wait)
	t.Run("clean", func(t *testing.T) {
		capture.Check(t, wait)
		work()
	})
	t.Run("leaky", func(t *testing.T) {
		capture.Check(t, short)
		leakThroughExited()
	})
	t.Run("parallel", func(t *testing.T) {
		capture.Check(t, wait)
		t.Parallel()
		work()
	})
}

// TestProbe writes, when LEAKY_PROBE names a file, the dump of this
// process with its own goroutine labelled: the outer test reads it to learn
// whether its parse reads the header this toolchain prints.
func TestProbe(t *testing.T) {
	capture.Check(t, wait)
	if path := os.Getenv("LEAKY_PROBE"); path != "" {
		if err := os.WriteFile(path, capture.Stacks(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDiffAndFindProve: where the runtime has the goroutineleak profile,
// Diff and Find take its GC's proof by default; elsewhere they judge as
// before. Its own leak has no Check label, so no other test counts it.
func TestDiffAndFindProve(t *testing.T) {
	current := capture.IgnoreCurrent()
	r, err := capture.Diff(context.Background(), func() { go parkedSend(make(chan int)) }, current, short)
	if err != nil {
		t.Fatal(err)
	}
	proof := pprof.Lookup("goroutineleak") != nil
	want := 0
	if proof {
		want = 1
	}
	if r.Summary.GCProven != want || r.Summary.LeakGroups != 1 {
		t.Errorf("Diff: %d GC-proven, %d leak groups; want %d and 1", r.Summary.GCProven, r.Summary.LeakGroups, want)
	}
	err = capture.Find(current, short)
	var le *capture.LeakError
	head := "found 1 unexpected goroutine:"
	if proof {
		head = "found 1 goroutine that the GC proved leaked"
	}
	if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), head) {
		t.Errorf("Find = %v, want a LeakError starting %q", err, head)
	}
}
