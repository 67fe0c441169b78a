package scenarios

import (
	"bytes"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The helpers in this file are scaffolding, not part of any leak: they let Run
// wait until the goroutines it left are parked (so the "after" dump is
// deterministic) and let stop wait until they are gone (so goleak passes).

// pkg is this package's import path, the prefix of every function it defines.
var pkg = reflect.TypeFor[Scenario]().PkgPath()

// fn names a function of this package the way stack dumps print it.
func fn(name string) string { return pkg + "." + name }

const (
	settleTimeout = 2 * time.Second // Run: wait at most this long for goroutines to park
	goneTimeout   = 5 * time.Second // stop: wait at most this long for goroutines to exit
	pollEvery     = 2 * time.Millisecond
)

// owners are the function-name prefixes of goroutines a scenario may start,
// itself or through a library. stop waits until no new goroutine has any of
// them among its frames or its "created by" line.
var owners = []string{
	pkg + ".", "net/http.", "net/http/httptest.", "crypto/tls.", "database/sql.",
	"os/exec.", "io.", "golang.org/x/sync/errgroup.", "context.", "time.",
	"sync.(*WaitGroup).Go",
}

// goroutine is one entry of a runtime.Stack dump, reduced to what settling needs.
type goroutine struct {
	id    int
	state string   // wait reason, without ", N minutes" and similar decorations
	funcs []string // the frames' function names, leaf first, then the creator
}

// stacks returns runtime.Stack of all goroutines, growing the buffer until it fits.
func stacks() []byte {
	for size := 64 << 10; ; size *= 2 {
		buf := make([]byte, size)
		if n := runtime.Stack(buf, true); n < size {
			return buf[:n]
		}
	}
}

// goroutines parses the current goroutines.
func goroutines() []goroutine {
	var gs []goroutine
	for block := range bytes.SplitSeq(stacks(), []byte("\n\n")) {
		lines := strings.Split(strings.TrimSpace(string(block)), "\n")
		// Header: "goroutine 7 [chan receive, 2 minutes]:", with
		// " gp=... m=..." before the "[" under GOTRACEBACK=system.
		head, rest, ok := strings.Cut(strings.TrimPrefix(lines[0], "goroutine "), " [")
		head, _, _ = strings.Cut(head, " ")
		id, err := strconv.Atoi(head)
		if !ok || err != nil {
			continue
		}
		state, _, _ := strings.Cut(strings.TrimSuffix(rest, "]:"), ", ")
		state = strings.TrimSuffix(strings.TrimSuffix(state, " (scan)"), " (leaked)")
		g := goroutine{id: id, state: state}
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "\t") {
				continue // file:line
			}
			if c, ok := strings.CutPrefix(l, "created by "); ok {
				c, _, _ = strings.Cut(c, " in goroutine ")
				g.funcs = append(g.funcs, c)
				continue
			}
			if i := strings.LastIndexByte(l, '('); i > 0 {
				l = l[:i] // drop the arguments
			}
			g.funcs = append(g.funcs, l)
		}
		gs = append(gs, g)
	}
	return gs
}

// has reports whether a frame (or the creator) of g is function name, one of
// its closures, or, when name ends in ".", any function with that prefix.
func (g goroutine) has(name string) bool {
	for _, f := range g.funcs {
		if strings.HasSuffix(name, ".") && strings.HasPrefix(f, name) ||
			f == name || strings.HasPrefix(f, name+".") {
			return true
		}
	}
	return false
}

// want is "exactly n new goroutines in state (any state if empty) with a frame fn".
type want struct {
	state string
	fn    string
	n     int
}

// probe remembers which goroutines existed when it was made, so that it can
// watch only the ones started after.
type probe struct {
	old map[int]bool
	all bool // watching old goroutines too: ignore busy ones that are not owned
}

func newProbe() *probe {
	p := &probe{old: map[int]bool{}}
	for _, g := range goroutines() {
		p.old[g.id] = true
	}
	return p
}

// probeAll returns a probe that watches every goroutine but the caller's.
func probeAll() *probe {
	self := goroutines()[0].id // runtime.Stack lists the caller first
	return &probe{old: map[int]bool{self: true}, all: true}
}

func (p *probe) fresh() []goroutine {
	var gs []goroutine
	for _, g := range goroutines() {
		if !p.old[g.id] {
			gs = append(gs, g)
		}
	}
	return gs
}

func (w want) met(gs []goroutine) bool {
	n := 0
	for _, g := range gs {
		if (w.state == "" || g.state == w.state) && g.has(w.fn) {
			n++
		}
	}
	return n == w.n
}

// await polls until every want holds and no new goroutine is still running,
// runnable or in a system call, for at most settleTimeout. Giving up is not
// fatal: the dump is then merely less tidy, and the tests catch it.
func (p *probe) await(ws ...want) bool {
	return poll(settleTimeout, func() bool {
		gs := p.fresh()
		for _, g := range gs {
			if g.busy() && (!p.all || g.owned()) {
				return false
			}
		}
		for _, w := range ws {
			if !w.met(gs) {
				return false
			}
		}
		return true
	})
}

// awaitGone polls until no new goroutine belongs to the scenario or a library
// it uses (or is still running), for at most goneTimeout.
func (p *probe) awaitGone() bool {
	return poll(goneTimeout, func() bool {
		for _, g := range p.fresh() {
			if g.owned() || g.busy() {
				return false
			}
		}
		return true
	})
}

// owned reports whether g was started by this package or a library it uses.
func (g goroutine) owned() bool {
	for _, o := range owners {
		if g.has(o) {
			return true
		}
	}
	return false
}

// busy reports whether g is not parked yet.
func (g goroutine) busy() bool {
	return g.state == "running" || g.state == "runnable" || g.state == "syscall"
}

func poll(limit time.Duration, done func() bool) bool {
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollEvery)
	}
	return true
}

// hatch collects the private handles stop needs to free goroutines that the
// leaky code abandoned: the leaky code registers a release func at the point
// where it walks away, and never calls it itself.
type hatch struct {
	mu  sync.Mutex
	fns []func()
}

func (h *hatch) add(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fns = append(h.fns, f)
}

// open runs the release funcs, last registered first.
func (h *hatch) open() {
	h.mu.Lock()
	fns := h.fns
	h.fns = nil
	h.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

// stopper returns a stop func that runs release in order, then waits until
// every goroutine started since p was made has exited.
func stopper(p *probe, release ...func()) func() {
	return sync.OnceFunc(func() {
		for _, r := range release {
			r()
		}
		p.awaitGone()
	})
}

// settled is how a scenario that leaks nothing returns: it waits until every
// goroutine it started has exited, even those that were only finishing (a
// worker past its wg.Done, a context's deadline timer), and returns a stop
// with nothing left to do.
func settled(p *probe) func() {
	p.awaitGone()
	return stopper(p)
}

// staged builds the Setup and Run of a scenario whose environment E (a server,
// a database handle, workers) must exist before the "before" dump. Setup makes
// it and Run consumes it; Run without a prior Setup makes its own and tears it
// down in its stop.
func staged[E any](setup func() (E, func()), run func(E) func()) (setupFn, runFn func() func()) {
	var (
		mu      sync.Mutex
		pending *E
	)
	setupFn = func() func() {
		env, stop := setup()
		mu.Lock()
		pending = &env
		mu.Unlock()
		return sync.OnceFunc(func() {
			mu.Lock()
			pending = nil
			mu.Unlock()
			stop()
		})
	}
	runFn = func() func() {
		mu.Lock()
		env := pending
		pending = nil
		mu.Unlock()
		if env != nil {
			return run(*env)
		}
		e, stopEnv := setup()
		stopRun := run(e)
		return sync.OnceFunc(func() { stopRun(); stopEnv() })
	}
	return setupFn, runFn
}

// must panics on err: a scenario whose plumbing fails (no loopback, no
// /bin/sh) cannot produce the dump it promises.
func must(name string, err error) {
	if err != nil {
		panic("scenarios: " + name + ": " + err.Error())
	}
}
