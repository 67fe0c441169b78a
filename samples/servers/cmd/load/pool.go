package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// client is one connection of the server's own client library.
type client interface {
	// work does one round of requests, each bounded in time.
	work(ctx context.Context) error
	close()
}

// dialers connect one client of each kind; i numbers the clients of a run.
var dialers = map[string]func(addr string, i int) (client, error){
	"nats": dialNATS,
	"http": dialHTTP,
	"etcd": dialEtcd,
}

// pool runs clients, each working in a loop of its own until the pool
// stops.
type pool struct {
	dial    func(i int) (client, error)
	mu      sync.Mutex
	ctx     context.Context // the running clients', ended by cancel
	cancel  context.CancelFunc
	clients []client
	wg      sync.WaitGroup
	dialed  int     // clients dialed so far, to number the next
	errs    []error // why loops ended early
}

// grow starts clients until n run; each works every 20 ms until stop or ctx
// ends it.
func (p *pool) grow(ctx context.Context, n int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel == nil {
		p.ctx, p.cancel = context.WithCancel(ctx)
	}
	for len(p.clients) < n {
		c, err := p.dial(p.dialed)
		p.dialed++
		if err != nil {
			return fmt.Errorf("client %d: %v", p.dialed-1, err)
		}
		p.clients = append(p.clients, c)
		p.wg.Add(1)
		go p.loop(p.ctx, c)
	}
	return nil
}

func (p *pool) loop(ctx context.Context, c client) {
	defer p.wg.Done()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := c.work(ctx); err != nil && ctx.Err() == nil {
			p.mu.Lock()
			p.errs = append(p.errs, err)
			p.mu.Unlock()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// stop ends every client's loop, waits for them, and closes their
// connections.
func (p *pool) stop() {
	p.mu.Lock()
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	clients := p.clients
	p.clients = nil
	p.mu.Unlock()
	p.wg.Wait()
	for _, c := range clients {
		c.close()
	}
}

// err returns the first error a client's loop ended with.
func (p *pool) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errs) > 0 {
		return p.errs[0]
	}
	return nil
}
