package scenarios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

var errInvalid = errors.New("invalid input")

// squaresUntilError streams squares from one errgroup goroutine while another
// validates the input. When validation fails the caller returns the error and
// stops reading, but the producer sends without watching ctx, so it blocks on
// its next send for ever (and g.Wait, which nobody calls, would never return).
func squaresUntilError(ctx context.Context, h *hatch) ([]int, error) {
	g, ctx := errgroup.WithContext(ctx)
	results := make(chan int)
	g.Go(func() error {
		defer close(results)
		for i := range 100 {
			time.Sleep(time.Millisecond) // some work per result
			results <- i * i
		}
		return nil
	})
	g.Go(func() error {
		time.Sleep(5 * time.Millisecond)
		return errInvalid
	})
	var got []int
	for {
		select {
		case r, ok := <-results:
			if !ok {
				return got, g.Wait()
			}
			got = append(got, r)
		case <-ctx.Done():
			h.add(func() { // scaffolding: stop drains the producer and reaps the group
				for range results {
				}
				_ = g.Wait()
			})
			return got, context.Cause(ctx)
		}
	}
}

// errgroup-early-return: stop receives the remaining results until the
// producer closes the channel, then calls g.Wait.
func errgroupEarlyReturn() Scenario {
	return Scenario{
		Name:      "errgroup-early-return",
		Doc:       "With errgroup.WithContext one goroutine fails and the caller returns, while another stays stuck sending results on an unbuffered channel nobody reads.",
		Leaks:     true,
		Want:      "chan-send",
		WantCount: 1,
		Run:       runErrgroupEarlyReturn,
	}
}

func runErrgroupEarlyReturn() func() {
	p := newProbe()
	var h hatch
	if _, err := squaresUntilError(context.Background(), &h); !errors.Is(err, errInvalid) {
		panic(fmt.Sprintf("scenarios: errgroup-early-return: got %v, want %v", err, errInvalid))
	}
	p.await(want{"chan send", fn("squaresUntilError"), 1}, want{"", "golang.org/x/sync/errgroup.", 1})
	return stopper(p, h.open)
}
