package scenarios

import (
	"context"
	"errors"
	"time"
)

var errTimeout = errors.New("timed out")

// awaitReply waits for the reply to a request. The component that should
// answer dropped the channel, so nothing will ever be sent.
func awaitReply(reply <-chan string) string {
	return <-reply
}

// blocked-forever: stop closes the reply channels (kept by Run), which makes
// every receive return.
func blockedForever() Scenario {
	return Scenario{
		Name:      "blocked-forever",
		Doc:       "Ten goroutines each wait for a reply on a channel nobody will ever send on.",
		Leaks:     true,
		Want:      "chan-receive",
		WantCount: 10,
		Run:       runBlockedForever,
	}
}

func runBlockedForever() func() {
	p := newProbe()
	var replies []chan string
	for range 10 {
		reply := make(chan string)
		replies = append(replies, reply)
		go awaitReply(reply)
	}
	p.await(want{"chan receive", fn("awaitReply"), 10})
	return stopper(p, func() {
		for _, r := range replies {
			close(r)
		}
	})
}

// slowFetch stands for a backend call that is slower than callers will wait.
func slowFetch() string {
	time.Sleep(30 * time.Millisecond)
	return "payload"
}

// fetchWithTimeout is the classic leak: the result channel is unbuffered, so
// once the caller has given up in the select, the fetching goroutine can never
// complete its send.
func fetchWithTimeout(fetch func() string, timeout time.Duration, h *hatch) (string, error) {
	ch := make(chan string)
	go func() { ch <- fetch() }()
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(timeout):
		h.add(func() { <-ch }) // scaffolding: stop takes the value we walked away from
		return "", errTimeout
	}
}

// fetchWithTimeoutBuffered is the first fix: with room for one value the
// sender never waits for a receiver, whether or not the caller is still there.
func fetchWithTimeoutBuffered(fetch func() string, timeout time.Duration) (string, error) {
	ch := make(chan string, 1)
	go func() { ch <- fetch() }()
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(timeout):
		return "", errTimeout
	}
}

// fetchWithContext is the second fix: the sender also watches the caller's
// context, so it gives up at the same moment the caller does.
func fetchWithContext(ctx context.Context, fetch func() string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ch := make(chan string)
	go func() {
		s := fetch()
		select {
		case ch <- s:
		case <-ctx.Done():
		}
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// unbuffered-send: stop receives the abandoned value, which completes the send.
func unbufferedSend() Scenario {
	return Scenario{
		Name:      "unbuffered-send",
		Doc:       "A fetch with a timeout gives up, and its worker blocks forever sending the late result on an unbuffered channel.",
		Leaks:     true,
		Want:      "chan-send",
		WantCount: 1,
		Run:       runUnbufferedSend,
	}
}

func runUnbufferedSend() func() {
	p := newProbe()
	var h hatch
	_, err := fetchWithTimeout(slowFetch, 5*time.Millisecond, &h)
	if !errors.Is(err, errTimeout) {
		panic("scenarios: unbuffered-send: the fetch did not time out")
	}
	p.await(want{"chan send", fn("fetchWithTimeout"), 1})
	return stopper(p, h.open)
}

// buffered-send: nothing to release; Run waits until the late sender exited.
func bufferedSend() Scenario {
	return Scenario{
		Name: "buffered-send",
		Doc:  "The unbuffered-send fix: a buffer of one lets the late worker deliver its result and exit.",
		Run:  runBufferedSend,
	}
}

func runBufferedSend() func() {
	p := newProbe()
	_, _ = fetchWithTimeoutBuffered(slowFetch, 5*time.Millisecond)
	return settled(p)
}

// context-send: nothing to release; Run waits until the worker gave up.
func contextSend() Scenario {
	return Scenario{
		Name: "context-send",
		Doc:  "The unbuffered-send fix: the worker selects on ctx.Done() of the caller's context.WithTimeout and gives up with it.",
		Run:  runContextSend,
	}
}

func runContextSend() func() {
	p := newProbe()
	_, _ = fetchWithContext(context.Background(), slowFetch, 5*time.Millisecond)
	return settled(p)
}

// produce sends n numbers, then closes out. It has no way to learn that the
// consumer left.
func produce(out chan<- int, n int) {
	for i := range n {
		out <- i
	}
	close(out)
}

// firstThree consumes three items and returns early, abandoning the producer.
func firstThree(h *hatch) []int {
	ch := make(chan int)
	go produce(ch, 100)
	var got []int
	for v := range ch {
		got = append(got, v)
		if len(got) == 3 {
			h.add(func() {
				for range ch { // scaffolding: stop drains the rest so produce can finish
				}
			})
			break
		}
	}
	return got
}

// producer-consumer-leak: stop drains the channel until produce closes it.
func producerConsumerLeak() Scenario {
	return Scenario{
		Name:      "producer-consumer-leak",
		Doc:       "A consumer returns after three items and the producer, which has no cancellation, blocks forever on its next send.",
		Leaks:     true,
		Want:      "chan-send",
		WantCount: 1,
		Run:       runProducerConsumerLeak,
	}
}

func runProducerConsumerLeak() func() {
	p := newProbe()
	var h hatch
	firstThree(&h)
	p.await(want{"chan send", fn("produce"), 1})
	return stopper(p, h.open)
}

// numbers is the fixed producer: it owns a cancel func and a done channel, and
// Stop both cancels it and waits for it, so it can never outlive its user.
type numbers struct {
	C      <-chan int
	cancel context.CancelFunc
	done   chan struct{}
}

func startNumbers(ctx context.Context) *numbers {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan int)
	n := &numbers{C: ch, cancel: cancel, done: make(chan struct{})}
	go n.produce(ctx, ch)
	return n
}

func (n *numbers) produce(ctx context.Context, out chan<- int) {
	defer close(n.done)
	for i := 0; ; i++ {
		select {
		case out <- i:
		case <-ctx.Done():
			return
		}
	}
}

// Stop cancels the producer and waits until it has exited.
func (n *numbers) Stop() {
	n.cancel()
	<-n.done
}

// producer-consumer: nothing to release; the consumer's deferred Stop does it.
func producerConsumer() Scenario {
	return Scenario{
		Name: "producer-consumer",
		Doc:  "The producer-consumer-leak fix: the producer selects on ctx.Done() and the consumer's deferred Stop cancels it and waits for it.",
		Run:  runProducerConsumer,
	}
}

func runProducerConsumer() func() {
	p := newProbe()
	func() {
		nums := startNumbers(context.Background())
		defer nums.Stop()
		for range 3 {
			<-nums.C
		}
	}()
	return settled(p)
}

// waitForEvent handles an update or a quit signal, whichever comes first.
// Neither ever comes, and without a ctx.Done() case it cannot give up.
func waitForEvent(updates <-chan int, quit <-chan struct{}) {
	select {
	case <-updates:
	case <-quit:
	}
}

// select-no-ctx: stop closes quit, the signal the owner forgot to send.
func selectNoCtx() Scenario {
	return Scenario{
		Name:      "select-no-ctx",
		Doc:       "A goroutine waits in a select on two channels that are never ready, with no ctx.Done() case to give up on.",
		Leaks:     true,
		Want:      "select",
		WantCount: 1,
		Run:       runSelectNoCtx,
	}
}

func runSelectNoCtx() func() {
	p := newProbe()
	updates, quit := make(chan int), make(chan struct{})
	go waitForEvent(updates, quit)
	p.await(want{"select", fn("waitForEvent"), 1})
	return stopper(p, func() { close(quit) })
}
