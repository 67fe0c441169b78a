package scenarios

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// firstOrTimeout waits for a result for at most an hour and returns without
// stopping its timer. Before Go 1.23 the timer stayed in the runtime's heap
// until it fired; since Go 1.23 an unreferenced timer is garbage collected.
// Either way no goroutine waits on it: this is a non-leak.
func firstOrTimeout(results <-chan int) (int, bool) {
	t := time.NewTimer(time.Hour)
	select {
	case r := <-results:
		return r, true
	case <-t.C:
		return 0, false
	}
}

// firstOrTimeoutStopped is the tidy form: the deferred Stop releases the timer
// at once.
func firstOrTimeoutStopped(results <-chan int) (int, bool) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	select {
	case r := <-results:
		return r, true
	case <-t.C:
		return 0, false
	}
}

// runTimerCallers runs ten goroutines that each call wait and waits for them.
func runTimerCallers(wait func(<-chan int) (int, bool)) func() {
	p := newProbe()
	var wg sync.WaitGroup
	for i := range 10 {
		results := make(chan int, 1)
		results <- i
		wg.Go(func() { wait(results) })
	}
	wg.Wait()
	return settled(p)
}

// timer-not-stopped: nothing to release.
func timerNotStopped() Scenario {
	return Scenario{
		Name: "timer-not-stopped",
		Doc:  "Ten goroutines create a one-hour time.NewTimer and return without Stop; since Go 1.23 the timers are collected and no goroutine stays.",
		Run:  func() func() { return runTimerCallers(firstOrTimeout) },
	}
}

// timer-stopped: nothing to release.
func timerStopped() Scenario {
	return Scenario{
		Name: "timer-stopped",
		Doc:  "The timer-not-stopped fix: the same goroutines defer timer.Stop().",
		Run:  func() func() { return runTimerCallers(firstOrTimeoutStopped) },
	}
}

// cancelTimeout stops a timeout and then drains its channel unconditionally,
// misapplying the pre-Go 1.23 drain idiom: Stop succeeded, so no value will
// ever arrive and the receive blocks forever.
func cancelTimeout(t *time.Timer) {
	t.Stop()
	<-t.C
}

// timer-stopped-then-received: stop resets the timer (kept by Run) to fire
// immediately, which delivers the value the receive waits for.
func timerStoppedThenReceived() Scenario {
	return Scenario{
		Name:      "timer-stopped-then-received",
		Doc:       "A goroutine calls t.Stop() and then receives from t.C, which blocks forever because the stopped timer never fires.",
		Leaks:     true,
		Want:      "timer",
		WantCount: 1,
		Run:       runTimerStoppedThenReceived,
	}
}

func runTimerStoppedThenReceived() func() {
	p := newProbe()
	t := time.NewTimer(time.Hour)
	go cancelTimeout(t)
	p.await(want{"chan receive", fn("cancelTimeout"), 1})
	return stopper(p, func() { t.Reset(0) })
}

// refreshEvery refreshes a cache on every tick of t, for ever: the loop has no
// exit and nobody stops the ticker. The released check after each tick is
// scaffolding for stop; it is never reached while the goroutine is parked.
func refreshEvery(t *time.Ticker, refresh func(), released *atomic.Bool) {
	for range t.C {
		refresh()
		if released.Load() {
			return
		}
	}
}

// ticker-loop-no-exit: the ticker period is an hour, so at dump time the loop
// is always parked in its receive. stop raises the released flag and resets
// the ticker (kept by Run) to tick within a millisecond; the loop wakes, sees
// the flag and returns, and stop then stops the ticker.
func tickerLoopNoExit() Scenario {
	return Scenario{
		Name:      "ticker-loop-no-exit",
		Doc:       "A worker goroutine loops over a time.Ticker's channel with no way out, so it lives as long as the process.",
		Leaks:     true,
		Want:      "ticker",
		WantCount: 1,
		Run:       runTickerLoopNoExit,
	}
}

func runTickerLoopNoExit() func() {
	p := newProbe()
	t := time.NewTicker(time.Hour)
	var released atomic.Bool
	go refreshEvery(t, func() {}, &released)
	p.await(want{"chan receive", fn("refreshEvery"), 1})
	return stopper(p, func() {
		released.Store(true)
		t.Reset(time.Millisecond)
	}, func() {
		p.awaitGone()
		t.Stop()
	})
}

// tickUntilDone is the fixed worker: it stops its own ticker and returns when
// ctx is done.
func tickUntilDone(ctx context.Context, every time.Duration, work func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			work()
		}
	}
}

// context-workers: nothing to release; Run cancels and waits itself.
func contextWorkers() Scenario {
	return Scenario{
		Name: "context-workers",
		Doc:  "The ticker-loop-no-exit fix: three ticker workers select on ctx.Done(), and the owner calls cancel() and wg.Wait().",
		Run:  runContextWorkers,
	}
}

func runContextWorkers() func() {
	p := newProbe()
	ctx, cancel := context.WithCancel(context.Background())
	var ticks atomic.Int64
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { tickUntilDone(ctx, time.Millisecond, func() { ticks.Add(1) }) })
	}
	poll(settleTimeout, func() bool { return ticks.Load() >= 6 }) // let them work a little
	cancel()
	wg.Wait()
	return settled(p)
}

// retryInterval is how long retryForever sleeps between attempts. It is short
// only so that stop does not wait long; at dump time the goroutines are all
// in time.Sleep, as with any interval.
const retryInterval = 100 * time.Millisecond

// retryForever retries a dependency that never comes back, without a limit or
// a context. The released check is scaffolding for stop (time.Sleep cannot be
// interrupted, so stop raises the flag and waits out the current sleep).
func retryForever(connect func() bool, released *atomic.Bool) {
	for !connect() && !released.Load() {
		time.Sleep(retryInterval)
	}
}

// sleep-forever: stop raises the released flag; each goroutine sees it when its
// current sleep ends (within retryInterval) and returns.
func sleepForever() Scenario {
	return Scenario{
		Name:      "sleep-forever",
		Doc:       "Ten goroutines retry a dead dependency in a loop of time.Sleep calls with no limit and no context.",
		Leaks:     true,
		Want:      "sleep",
		WantCount: 10,
		Run:       runSleepForever,
	}
}

func runSleepForever() func() {
	p := newProbe()
	var released atomic.Bool
	dead := func() bool { return false }
	for range 10 {
		go retryForever(dead, &released)
	}
	p.await(want{"sleep", fn("retryForever"), 10})
	return stopper(p, func() { released.Store(true) })
}
