package scenarios

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type account struct {
	mu      sync.Mutex
	balance int
}

// transfer locks from, then to. Two transfers in opposite directions can each
// hold their first lock and wait for the other's: a lock-order deadlock.
// firstHeld runs with from locked; the scenario makes it a barrier so that the
// deadlock is certain rather than likely. fromReleased is scaffolding for stop,
// which breaks the deadlock by unlocking from on this goroutine's behalf (a
// sync.Mutex is not tied to a goroutine); transfer must then not unlock it too.
func transfer(from, to *account, amount int, firstHeld func(), fromReleased *atomic.Bool) {
	from.mu.Lock()
	firstHeld()
	to.mu.Lock()
	from.balance -= amount
	to.balance += amount
	to.mu.Unlock()
	if !fromReleased.Load() {
		from.mu.Unlock()
	}
}

// mutex-deadlock: stop unlocks a.mu, which the a→b transfer holds. The b→a
// transfer then gets a.mu, finishes and unlocks both; then the a→b transfer
// gets b.mu and finishes, skipping the unlock of a.mu that stop already did.
func mutexDeadlock() Scenario {
	return Scenario{
		Name:      "mutex-deadlock",
		Doc:       "Two goroutines transfer between the same accounts in opposite directions, each locking its source first: a lock-order deadlock.",
		Leaks:     true,
		Want:      "mutex-lock",
		WantCount: 2,
		Run:       runMutexDeadlock,
	}
}

func runMutexDeadlock() func() {
	p := newProbe()
	a, b := &account{balance: 100}, &account{balance: 100}
	var bothHeld sync.WaitGroup
	bothHeld.Add(2)
	barrier := func() { bothHeld.Done(); bothHeld.Wait() }
	var aReleased, bReleased atomic.Bool
	go transfer(a, b, 10, barrier, &aReleased)
	go transfer(b, a, 20, barrier, &bReleased)
	p.await(want{"sync.Mutex.Lock", fn("transfer"), 2})
	return stopper(p, func() {
		aReleased.Store(true)
		a.mu.Unlock()
	})
}

// process handles one item and reports it on out. Its error path returns
// before wg.Done, so whoever waits on wg waits forever.
func process(item string, wg *sync.WaitGroup, out chan<- string, h *hatch) {
	if item == "" {
		h.add(wg.Done) // scaffolding: stop pays the Done this path owes
		return
	}
	out <- strings.ToUpper(item)
	wg.Done()
}

// closeWhenDone closes out once every worker has called Done.
func closeWhenDone(wg *sync.WaitGroup, out chan<- string) {
	wg.Wait()
	close(out)
}

// collect reads results until out is closed or the caller runs out of patience.
func collect(out <-chan string, patience time.Duration) []string {
	var got []string
	timeout := time.After(patience)
	for {
		select {
		case r, ok := <-out:
			if !ok {
				return got
			}
			got = append(got, r)
		case <-timeout:
			return got
		}
	}
}

// waitgroup-no-done: stop calls the wg.Done the rejecting worker skipped; the
// waiter then closes out and exits.
func waitGroupNoDone() Scenario {
	return Scenario{
		Name:      "waitgroup-no-done",
		Doc:       "A goroutine waits in wg.Wait() for three workers, one of which returns early on bad input without calling wg.Done().",
		Leaks:     true,
		Want:      "waitgroup",
		WantCount: 1,
		Run:       runWaitGroupNoDone,
	}
}

func runWaitGroupNoDone() func() {
	p := newProbe()
	var h hatch
	items := []string{"a", "", "c"}
	var wg sync.WaitGroup
	wg.Add(len(items))
	out := make(chan string, len(items))
	for _, it := range items {
		go process(it, &wg, out, &h)
	}
	go closeWhenDone(&wg, out)
	collect(out, 20*time.Millisecond)
	p.await(want{"sync.WaitGroup.Wait", fn("closeWhenDone"), 1}, want{"", fn("process"), 0})
	return stopper(p, h.open)
}

// queue is a cond-based queue whose push forgets to signal.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []string
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push appends an item. The missing q.cond.Signal() is the bug: a consumer
// already waiting is never woken.
func (q *queue) push(s string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, s)
}

// pop waits until there is an item or the queue is closed.
func (q *queue) pop() (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return "", false
	}
	s := q.items[0]
	q.items = q.items[1:]
	return s, true
}

// close marks the queue closed and wakes every waiter.
func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

func consumeOne(q *queue) { q.pop() }

// cond-no-signal: stop closes the queue, which sets the closed flag and
// broadcasts; the consumer wakes, takes the item and returns.
func condNoSignal() Scenario {
	return Scenario{
		Name:      "cond-no-signal",
		Doc:       "A consumer waits in cond.Wait() for an item; the producer appends one but never signals, so it sleeps forever.",
		Leaks:     true,
		Want:      "cond-wait",
		WantCount: 1,
		Run:       runCondNoSignal,
	}
}

func runCondNoSignal() func() {
	p := newProbe()
	q := newQueue()
	go consumeOne(q)
	// Push only once the consumer waits, so the lost wake-up is certain.
	p.await(want{"sync.Cond.Wait", fn("consumeOne"), 1})
	q.push("job")
	return stopper(p, q.close)
}
