package main

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/stackdiff/stackdiff/internal/safetext"
)

// progress shows how much of a large input has been read, on one line of
// stderr that it rewrites, so that a person waiting on a 1 GB dump sees it
// move. It is used only when stderr is a terminal.
type progress struct {
	r    io.Reader
	name string
	n    atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func startProgress(r io.Reader, name string, w io.Writer) *progress {
	// The name is the user's file name: through the gate like any other.
	p := &progress{r: r, name: safetext.String(name), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		shown := false
		for {
			select {
			case <-t.C:
				fmt.Fprintf(w, "\rstackdiff: reading %s: %d MB", p.name, p.n.Load()>>20)
				shown = true
			case <-p.stop:
				if shown {
					fmt.Fprint(w, "\r\x1b[K")
				}
				return
			}
		}
	}()
	return p
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n.Add(int64(n))
	return n, err
}

// Stop erases the line and waits for the ticker goroutine to end.
func (p *progress) Stop() {
	close(p.stop)
	<-p.done
}
