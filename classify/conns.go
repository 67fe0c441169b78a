package classify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/parse"
)

// A server's goroutines grow with its load: every accepted connection gets
// a goroutine that reads it, often a writer beside it, a handler per
// request or stream, and they go away with the connection. Growth that
// follows the connections is what a server under load looks like, not a
// leak. A goroutine lives and dies with a connection when
//
//   - it reads a network connection itself, in the code of a package whose
//     accept loop is in the dump (a connection's read loop);
//   - it was started by an accept loop: its parent waits in Accept, or its
//     creator is a function on an accept loop's stack;
//   - it was started by such a goroutine (its parent, or its creator
//     function, is one), or by the same goroutine as one when that parent
//     has exited (a per-connection setup that started a read loop and a
//     write loop and returned).
//
// A group is connection-bound when most of its goroutines of the last
// snapshot are, and its wait is one a connection's loops make while idle
// (network, select, receive, cond, ticker, sleep). A goroutine waiting on something
// that never ends by itself (a send nobody receives, a lock, a nil
// channel), an HTTP handler blocked in a request, and the client side of
// net/http, database/sql or os/exec are judged as before, wherever they
// descend from: a hung handler stays the finding.

// connLabels are the waits a connection's own goroutines make between
// messages.
var connLabels = map[Label]bool{
	IOWaitNet: true, Select: true, ChanReceive: true, CondWait: true, Ticker: true, Sleep: true,
	HTTPServerConn: true, GRPCServerConn: true, Other: true,
	// A gRPC call in flight looks the same as a hung one, and no
	// goroutine tells them apart (HTTP/1 has the connection's reader, see
	// inFlight): its wait does, against its threshold.
	GRPCServerHandler: true,
}

// http1Conn matches the goroutine of an HTTP/1 server connection, which
// runs its requests' handlers itself.
var http1Conn = HasFunc("net/http.(*conn).serve")

// serverSide are the labels of the server side of a connection, whatever
// package serves it (net/http's server is in the same package as its
// client).
var serverSide = map[Label]bool{HTTPServerConn: true, GRPCServerConn: true}

var (
	acceptsNet = HasFunc("net.(*TCPListener).Accept", "net.(*UnixListener).Accept", "net.(*netFD).accept")
	readsConn  = HasFunc("net.(*conn).Read", "net.(*netFD).Read", "crypto/tls.(*Conn).Read")
)

// acceptsConn reports whether a stack is an accept loop: waiting in a
// net listener's Accept, or in the Accept method of a listener of a
// library's own (a connection multiplexer such as cmux hands connections
// to the server it feeds through a channel: that server's Serve waits in
// (*muxListener).Accept, not in net's).
func acceptsConn(s *Stack) bool {
	return acceptsNet(s) || slices.ContainsFunc(s.Frames, func(f parse.Frame) bool { return isAcceptMethod(f.Func) })
}

// isAcceptMethod reports whether fn is a method named Accept:
// "pkg.(*T).Accept" or "pkg.T.Accept", not a function "pkg.Accept".
func isAcceptMethod(fn string) bool {
	name := fn[strings.LastIndexByte(fn, '/')+1:]
	return strings.HasSuffix(name, ".Accept") && strings.Count(name, ".") >= 2
}

// connState is what the walk found: the goroutines reading a connection,
// per snapshot, for the evidence of what grew with what.
type connState struct {
	readers []int
}

// findConnBound marks the entries whose goroutines of the last snapshot
// all live and die with connections. It runs after the match (c.last is
// sorted by ID) and does nothing unless a group that may follow the
// connections grew and the snapshots hold a listener or a reader.
func (c *comparer) findConnBound() {
	c.conns.readers = make([]int, c.n)
	serverFuncs := map[string]bool{} // functions on an accept loop's stack
	serverPkgs := pkgTree{}          // the program's packages on an accept loop's stack
	for _, e := range c.order {
		if e.accepts = acceptsConn(&Stack{Frames: e.rep.Frames}); e.accepts {
			for _, f := range e.rep.Frames {
				// main runs the whole program: what it starts is not the
				// server's because main also called ListenAndServe.
				if isRuntime(f.Func) || funcPackage(f.Func) == "main" {
					continue
				}
				serverFuncs[f.Func] = true
				if !isStdlib(f.Func) {
					serverPkgs[funcPackage(f.Func)] = true
				}
			}
		}
	}
	grew, server := false, false
	for _, e := range c.order {
		// A reader serves the listener's connections when its code is in
		// the package of an accept loop (a read loop started by a setup
		// goroutine that has exited); a connection the program dialed is
		// judged as before. A read loop caught running between two reads
		// is one all the same.
		e.reads = readsConn(&Stack{Frames: e.rep.Frames}) && (connLabels[e.g.Label] || e.g.Label == Running) &&
			(serverSide[e.g.Label] || slices.ContainsFunc(e.rep.Frames, func(f parse.Frame) bool { return serverPkgs.has(funcPackage(f.Func)) }))
		server = server || e.accepts || e.reads
		grew = grew || connLabels[e.g.Label] && (e.g.New > 0 || grewEveryStep(e.g.Counts))
		if e.reads {
			for i, n := range e.g.Counts {
				c.conns.readers[i] += n
			}
		}
	}
	if !grew || !server {
		return
	}
	if len(c.last) == 0 {
		c.followReaders(serverPkgs)
		return
	}
	bound := c.walkConns(serverFuncs)
	in := make(map[*entry]int)
	for i, m := range c.last {
		if bound[i] {
			in[m.e]++
		}
	}
	// Most, not all: a dump catches a few read loops busy between two
	// reads, and their write loops lose the sibling that vouches for them.
	// A group stuck after its connections closed has lost them all.
	for _, e := range c.order {
		last := e.g.Counts[c.n-1]
		e.conn = connLabels[e.g.Label] && last > 0 && 2*in[e] > last
	}
}

// followReaders marks the connection-bound groups of a dump without IDs
// (debug=1, protobuf): no parents to walk, and no creators. A group in a
// connection's wait, running the server's code (a package of an accept
// loop or one below it, not main), that grew no more than the connection
// readers did, grew with them; so did one whose goroutines start in a
// closure of a function such a group runs (a stream handler's send loop,
// "go func() {...}()" in Watch), the only creator these formats still
// show.
func (c *comparer) followReaders(serverPkgs pkgTree) {
	readersGrew := c.conns.readers[c.n-1] - c.conns.readers[0]
	mayFollow := func(e *entry) bool {
		last := e.g.Counts[c.n-1]
		return last > 0 && connLabels[e.g.Label] && last-e.g.Counts[0] <= readersGrew &&
			!slices.ContainsFunc(e.rep.Frames, func(f parse.Frame) bool { return funcPackage(f.Func) == "main" })
	}
	for _, e := range c.order {
		byServer := serverSide[e.g.Label] || slices.ContainsFunc(e.rep.Frames, func(f parse.Frame) bool { return serverPkgs.has(funcPackage(f.Func)) })
		e.conn = e.g.Counts[c.n-1] > 0 && (e.reads || byServer && mayFollow(e))
	}
	// Closures of bound groups' functions, followed as a worklist: each
	// group is bound once, and each function looked up once, so a chain
	// of closures costs what its groups and frames do.
	waiting := map[string][]*entry{} // enclosing function -> groups starting in a closure of it
	var todo []*entry
	for _, e := range c.order {
		if e.conn {
			todo = append(todo, e)
		} else if n := len(e.rep.Frames); n > 0 && mayFollow(e) {
			if fn := enclosingFunc(e.rep.Frames[n-1].Func); fn != "" {
				waiting[fn] = append(waiting[fn], e)
			}
		}
	}
	for len(todo) > 0 {
		e := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if inHandler(&Stack{Frames: e.rep.Frames}) {
			continue
		}
		for _, f := range e.rep.Frames {
			for _, w := range waiting[f.Func] {
				if !w.conn {
					w.conn = true
					todo = append(todo, w)
				}
			}
			delete(waiting, f.Func)
		}
	}
}

// enclosingFunc returns the function a closure or go-statement wrapper
// is defined in, or "" for any other function.
func enclosingFunc(fn string) string {
	if f, cut := display.TrimClosure(fn); cut {
		return f
	}
	return ""
}

// pkgTree is a set of packages that holds the packages below them too:
// a server library's internals (google.golang.org/grpc/internal/transport
// under google.golang.org/grpc) are its own.
type pkgTree map[string]bool

func (t pkgTree) has(pkg string) bool {
	for p := pkg; ; {
		if t[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

// walkConns marks the goroutines of the last snapshot (by index in c.last)
// that live and die with connections: from the seeds (readers, children of
// accept loops) to their descendants and siblings. Each goroutine is
// marked once and each function looked up once: linear in the goroutines.
func (c *comparer) walkConns(serverFuncs map[string]bool) []bool {
	last := c.last
	index := func(id int64) int { // c.last is sorted by ID
		i, ok := slices.BinarySearchFunc(last, id, func(s seen, id int64) int { return cmp.Compare(s.id, id) })
		if !ok {
			return -1
		}
		return i
	}
	children := map[int64][]int{}
	byCreator := map[string][]int{}
	for i, m := range last {
		if m.parent != 0 {
			children[m.parent] = append(children[m.parent], i)
		}
		byCreator[creator(m.e.rep)] = append(byCreator[creator(m.e.rep)], i)
	}
	// What the walk asks of a goroutine is a fact of its group: asked
	// once per group, not once per goroutine.
	type groupFacts struct{ fromMain, inHandler, servesHTTP1 bool }
	known := map[*entry]groupFacts{}
	facts := func(e *entry) groupFacts {
		f, ok := known[e]
		if !ok {
			st := &Stack{Frames: e.rep.Frames}
			f = groupFacts{funcPackage(creator(e.rep)) == "main", inHandler(st), http1Conn(st)}
			known[e] = f
		}
		return f
	}
	bound := make([]bool, len(last))
	boundFuncs := map[string]bool{} // functions on a connection-bound goroutine's stack
	var todo []int
	mark := func(i int) {
		// What package main starts is the program's work, even when
		// started from a connection's goroutine: judged on its own. So is
		// what an HTTP/1 handler started, in any package (see the walk
		// below), and what a goroutine still in a request starts (see
		// inHandler).
		if facts(last[i].e).fromMain {
			return
		}
		if !bound[i] && !last[i].e.accepts {
			bound[i] = true
			todo = append(todo, i)
		}
	}
	for i, m := range last {
		p := index(m.parent)
		if m.e.reads || (p >= 0 && last[p].e.accepts) || serverFuncs[creator(m.e.rep)] {
			mark(i)
		}
	}
	for len(todo) > 0 {
		m := last[todo[len(todo)-1]]
		todo = todo[:len(todo)-1]
		if facts(m.e).inHandler {
			// What a handler starts is the handler's work, not its
			// connection's: judged on its own, as before.
			continue
		}
		servesHTTP1 := facts(m.e).servesHTTP1
		for _, k := range children[m.id] {
			// net/http runs an HTTP/1 handler on its connection's
			// goroutine: what that goroutine started, but for the
			// connection's own (its background read), a handler started,
			// whatever package the handler is in, and net/http's
			// TimeoutHandler too. It is the handler's work. (What code
			// still running on the connection starts, an HTTP/2 server
			// connection's frame reader and handlers, is bound by its
			// creator below.)
			if servesHTTP1 && !strings.HasPrefix(creator(last[k].e.rep), "net/http.(*conn") {
				continue
			}
			mark(k)
		}
		if m.parent != 0 && index(m.parent) < 0 {
			for _, k := range children[m.parent] { // siblings: the parent exited
				mark(k)
			}
		}
		for _, f := range m.e.rep.Frames {
			if isRuntime(f.Func) || boundFuncs[f.Func] {
				continue
			}
			boundFuncs[f.Func] = true
			for _, k := range byCreator[f.Func] {
				mark(k)
			}
		}
	}
	return bound
}

// follows reports whether the group's growth follows its cause (the
// connections, or requests in flight) and says so in its evidence: such
// growth gets no verdict of its own.
func (c *comparer) follows(e *entry) bool {
	g := e.g
	grew := g.New > 0 || c.n >= 3 && grewEveryStep(g.Counts)
	switch {
	case e.conn:
		if grew {
			g.Evidence = append(g.Evidence, fmt.Sprintf("grew with the connections (%s): they serve connections, and the goroutines reading connections went %s",
				display.JoinCounts(g.Counts), display.JoinCounts(c.conns.readers)))
		}
		return true
	case c.inFlight(g): // handlers.go
		if grew {
			g.Evidence = append(g.Evidence, fmt.Sprintf("requests in flight: %d handlers, and the server still reads the connections of %d requests' clients",
				c.reqs.handlers, c.reqs.liveReads))
		}
		return true
	}
	return false
}
