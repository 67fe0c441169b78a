package capture

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks with the real goleak, independent of capture's own
// verifier, that the tests (and so capture: monitors, signal handlers,
// HTTP fetches) leave no goroutine behind. One TestMain serves the
// package and its external tests: they share one test binary.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Leaker holds goroutines parked in a channel send until Release: the
// leak every test here looks for. Exported for the external tests.
type Leaker struct {
	ch chan int
	wg sync.WaitGroup
	n  int
}

// Names of the leaked goroutines' functions, as stacks print them.
const (
	BlockSendFunc = "github.com/stackdiff/stackdiff/capture.blockSend"
	StartLeaksFn  = "github.com/stackdiff/stackdiff/capture.StartLeaks"
)

// StartLeaks starts n goroutines blocked sending on a channel nobody
// receives from (until Release), and returns once they all are: on a
// loaded machine a goroutine just started may not have run yet, and the
// tests judge parked goroutines, not runnable ones.
func StartLeaks(n int) *Leaker {
	l := &Leaker{ch: make(chan int), n: n}
	l.wg.Add(n)
	for range n {
		// A plain go statement, not wg.Go: the tests expect StartLeaks
		// as the creator.
		go func() {
			defer l.wg.Done()
			blockSend(l.ch)
		}()
	}
	waitParked(n)
	return l
}

// waitParked waits, for at most 10 s, until n goroutines are blocked in
// blockSend, however many others are.
func waitParked(n int) {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		stacks := string(buf[:runtime.Stack(buf, true)])
		parked := 0
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "[chan send") && strings.Contains(g, "capture.blockSend(") {
				parked++
			}
		}
		if parked >= n {
			return
		}
	}
}

//go:noinline
func blockSend(ch chan<- int) { ch <- 1 }

// Release unblocks the goroutines and waits until they have returned.
func (l *Leaker) Release() {
	if l == nil {
		return // the test failed before starting it
	}
	for range l.n {
		<-l.ch
	}
	l.n = 0
	l.wg.Wait()
}
