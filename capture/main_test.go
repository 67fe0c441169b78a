package capture

import (
	"sync"
	"testing"

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
// receives from (until Release).
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
	return l
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
