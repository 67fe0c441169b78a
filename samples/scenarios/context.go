package scenarios

import "context"

// cleanupWhenDone releases a resource when ctx ends. It only exists because
// somebody holds ctx's cancel func, and it waits as long as nobody calls it.
func cleanupWhenDone(ctx context.Context, release func()) {
	<-ctx.Done()
	release()
}

// startSession derives a cancelable context for a session and watches it. The
// bug is the cancel func: the session should keep it and call it on close,
// but drops it instead (go vet's lostcancel catches the plain form; here the
// scenario keeps it for stop, which vet cannot know is never called).
func startSession(parent context.Context, h *hatch) {
	ctx, cancel := context.WithCancel(parent)
	h.add(cancel)
	go cleanupWhenDone(ctx, func() {})
}

// context-never-cancelled: stop calls the cancel func the session dropped.
func contextNeverCancelled() Scenario {
	return Scenario{
		Name:      "context-never-cancelled",
		Doc:       "A goroutine waits only on <-ctx.Done() of a context whose cancel func its creator dropped.",
		Leaks:     true,
		Want:      "context-never-cancelled",
		WantCount: 1,
		Run:       runContextNeverCancelled,
	}
}

func runContextNeverCancelled() func() {
	p := newProbe()
	var h hatch
	startSession(context.Background(), &h)
	p.await(want{"chan receive", fn("cleanupWhenDone"), 1})
	return stopper(p, h.open)
}
