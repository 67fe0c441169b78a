package classify

import (
	"fmt"

	"github.com/stackdiff/stackdiff/parse"
)

// A server's goroutines grow with its load: every accepted connection gets
// a goroutine that reads it, often a writer beside it, a handler per
// request or stream, and they go away with the connection. Growth that
// follows the connections is what a server under load looks like, not a
// leak. A goroutine lives and dies with a connection when
//
//   - it reads a network connection itself (a connection's read loop);
//   - it was started by an accept loop: its parent waits in Accept, or its
//     creator is a function on an accept loop's stack;
//   - it was started by such a goroutine (its parent, or its creator
//     function, is one), or by the same goroutine as one when that parent
//     has exited (a per-connection setup that started a read loop and a
//     write loop and returned).
//
// A group is connection-bound when all its goroutines of the last snapshot
// are, and its wait is one a connection's loops make while idle (network,
// select, receive, cond, ticker, sleep). A goroutine waiting on something
// that never ends by itself (a send nobody receives, a lock, a nil
// channel), a handler blocked in a request, and the client side of
// net/http, database/sql or os/exec are judged as before, wherever they
// descend from: a hung handler stays the finding.

// connLabels are the waits a connection's own goroutines make between
// messages.
var connLabels = map[Label]bool{
	IOWaitNet: true, Select: true, ChanReceive: true, CondWait: true, Ticker: true, Sleep: true,
	HTTPServerConn: true, GRPCServerConn: true, Other: true,
}

var (
	acceptsConn = HasFunc("net.(*TCPListener).Accept", "net.(*UnixListener).Accept", "net.(*netFD).accept")
	readsConn   = HasFunc("net.(*conn).Read", "net.(*netFD).Read", "crypto/tls.(*Conn).Read")
)

// member is one goroutine of the last snapshot, for the connection walk.
type member struct {
	id, parent int64
	e          *entry
}

// connState is what the walk found, per snapshot: the connection readers,
// the evidence of what grew with what.
type connState struct {
	readers []int // goroutines reading a connection, per snapshot
}

// findConnBound marks the entries whose goroutines of the last snapshot
// all live and die with connections.
func (c *comparer) findConnBound() {
	c.conns.readers = make([]int, c.n)
	serverFuncs := map[string]bool{} // functions on an accept loop's stack
	for _, e := range c.order {
		st := &Stack{Frames: e.rep.Frames}
		e.accepts = acceptsConn(st)
		e.reads = readsConn(st) && connLabels[e.g.Label]
		if e.reads {
			for i, n := range e.g.Counts {
				c.conns.readers[i] += n
			}
		}
		if e.accepts {
			for _, f := range e.rep.Frames {
				if !isRuntime(f.Func) {
					serverFuncs[f.Func] = true
				}
			}
		}
	}
	byID := make(map[int64]*member, len(c.members))
	children := map[int64][]*member{}
	byCreator := map[string][]*member{}
	for i := range c.members {
		m := &c.members[i]
		byID[m.id] = m
		children[m.parent] = append(children[m.parent], m)
		byCreator[creator(m.e.rep)] = append(byCreator[creator(m.e.rep)], m)
	}
	// A walk from the seeds (readers, children of accept loops) to their
	// descendants and siblings: each goroutine is marked once and each
	// function looked up once, so it is linear in the goroutines.
	bound := map[int64]bool{}
	boundFuncs := map[string]bool{} // functions on a connection-bound goroutine's stack
	var todo []*member
	mark := func(m *member) {
		if !bound[m.id] && !m.e.accepts {
			bound[m.id] = true
			todo = append(todo, m)
		}
	}
	for i := range c.members {
		m := &c.members[i]
		if p := byID[m.parent]; m.e.reads || (p != nil && p.e.accepts) || serverFuncs[creator(m.e.rep)] {
			mark(m)
		}
	}
	for len(todo) > 0 {
		m := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, k := range children[m.id] {
			mark(k)
		}
		if _, alive := byID[m.parent]; !alive && m.parent != 0 {
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
	for _, e := range c.order {
		e.conn = connLabels[e.g.Label] && e.g.Counts[c.n-1] > 0
	}
	for i := range c.members {
		m := &c.members[i]
		if !bound[m.id] {
			m.e.conn = false
		}
	}
	if len(c.members) == 0 { // no IDs (debug=1, protobuf): readers alone
		for _, e := range c.order {
			e.conn = e.reads && e.g.Counts[c.n-1] > 0
		}
	}
}

// noteMember records a goroutine of the last snapshot for the walk.
func (c *comparer) noteMember(e *entry, m *parse.Member) {
	c.members = append(c.members, member{m.ID, m.ParentID, e})
}

// connEvidence says what the group grew with.
func (c *comparer) connEvidence(g *Group) string {
	what := "they serve connections"
	if len(c.conns.readers) > 0 {
		what += ", and the goroutines reading connections went " + JoinCounts(c.conns.readers)
	}
	return fmt.Sprintf("grew with the connections (%s): %s", JoinCounts(g.Counts), what)
}
