package capture

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/stackdiff/stackdiff/parse"
)

// Settle waits until no goroutine other than the caller is running or
// runnable, so that a snapshot taken next shows every goroutine parked
// where it will stay, or until ctx ends (the error then wraps ctx's).
//
// A goroutine that has just been started, woken, or is on its way out is
// runnable for a moment; a snapshot taken then would show it in a
// transient state. Like goleak's retries, Settle polls instead: it
// yields first (cheap, and usually enough), then sleeps with backoff.
// A goroutine that computes without end keeps Settle waiting.
func Settle(ctx context.Context) error {
	_, err := settle(ctx, goid(), time.Time{})
	return err
}

// settle polls snapshots (without goroutine self) until one shows no
// running or runnable goroutine, and returns it. When ctx ends, or the
// deadline passes (zero: none), first it returns the last snapshot with an
// error saying so.
//
// The deadline is a time, not a context.WithTimeout: a context's timer
// starts a goroutine when it fires, and that goroutine, runnable at the
// very moment settle gives up, would be in the snapshot it returns.
func settle(ctx context.Context, self int64, deadline time.Time) (*parse.Snapshot, error) {
	for i := 0; ; i++ {
		_, s, err := snapshot(self, "capture")
		if err != nil {
			return nil, err
		}
		n := busy(s)
		if n == 0 {
			return s, nil
		}
		if err := pause(ctx, i, deadline); err != nil {
			return s, fmt.Errorf("capture: %d goroutines still running or runnable: %w", n, err)
		}
	}
}

// busy counts the goroutines of s that are running or runnable. The
// runtime prints "running" with no stack for a goroutine it caught on
// another thread.
func busy(s *parse.Snapshot) int {
	n := 0
	for _, g := range s.Groups {
		if g.State == "running" || g.State == "runnable" || g.Unavailable {
			n += g.Count
		}
	}
	return n
}

// errDeadline says a wait ran out of time (MaxWait), as opposed to its
// context ending.
var errDeadline = errors.New("deadline passed")

// pause waits before poll i+1: a few scheduler yields, then sleeps that
// double from 50µs to 10ms, so that a goroutine finishing within
// microseconds costs no sleep and a slow one costs little CPU. It fails
// when ctx has ended or the deadline (zero: none) has passed.
func pause(ctx context.Context, i int, deadline time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	left := time.Until(deadline)
	if !deadline.IsZero() && left <= 0 {
		return errDeadline
	}
	const yields = 4
	if i < yields {
		runtime.Gosched()
		return nil
	}
	d := min(50*time.Microsecond<<min(i-yields, 10), 10*time.Millisecond)
	if !deadline.IsZero() {
		d = min(d, left)
	}
	return sleep(ctx, d)
}

// sleep waits d or until ctx ends, whichever is first, with a channel
// timer that is stopped either way: unlike time.AfterFunc it starts no
// goroutine, so it cannot show up in a snapshot.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
