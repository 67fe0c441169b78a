package classify

import (
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// A small program's leak often shows in one dump as a process that has
// stopped: apart from the goroutine writing the dump, every goroutine waits
// on a channel, a lock, a WaitGroup or a condition, and none waits on
// anything outside the process (the network, a sleep, a system call) or is
// able to run. Such waits can only be ended by another goroutine, and every
// other goroutine is itself waiting: the runtime would call it a deadlock
// but for the goroutine taking the dump (or a timer, which a dump does not
// show). The waits are suspects, even short ones; a service's dump almost
// never qualifies, since its listeners and connections wait on the network.
//
// Only a complete dump (not cut off, holding goroutine 1) with wait states
// can say this: a plain dump (whose one running goroutine is the one that
// wrote it: runtime.Stack and the pprof handlers show themselves running),
// a signal's dump (where nothing may be running), or a panic's or fatal
// error's printed with GOTRACEBACK=all (where the goroutine that panicked
// runs). A deadlock is already proven by the runtime, and
// formats without states (pprof debug=1, protobuf) cannot tell a running
// goroutine from a waiting one.

// goroutineWaits are the labels whose wait only another goroutine of the
// process can end.
var goroutineWaits = map[Label]bool{
	ChanSend: true, ChanReceive: true, Select: true, NilChan: true, SelectNoCases: true,
	MutexLock: true, WaitGroup: true, CondWait: true, IOPipe: true,
	ContextNeverCancelled: true,
}

// bystanders are goroutines that neither end a stall nor belong to it: the
// runtime's own and the test runner's, which wait on the tests.
var bystanders = map[Label]bool{System: true, TestRunner: true}

// parked reports a main goroutine parked on purpose (select {} or a nil
// channel), as servers and signal-driven programs do: it waits for the
// process to end, not for another goroutine.
func parked(g *Group) bool {
	return (g.Label == NilChan || g.Label == SelectNoCases) && inMain(g)
}

// findStall reports whether the single dump shows a stopped process, and
// says so for the evidence ("" when it does not).
func (c *comparer) findStall() string {
	if c.n != 1 || c.cut || !c.hasMain {
		return "" // a diff, or not every goroutine of the process
	}
	running := 0 // goroutines in state running
	switch {
	case c.ev == nil:
		running = -1 // the dump's writer
	case c.ev.Kind == parse.EventSignal:
	case (c.ev.Kind == parse.EventPanic || c.ev.Kind == parse.EventFatal) && completeDump(c.ev, c.total):
		running = -1 // the goroutine that panicked
	default:
		return ""
	}
	waiting := 0
	unread := false // a receive or select not refined for want of its source
	for _, e := range c.order {
		g := e.g
		n := g.Counts[c.n-1]
		if g.Leaked > 0 {
			return "" // the GC judged this dump: its proof is better
		}
		switch {
		case n > 0 && (strings.HasPrefix(g.State, "syscall") || watchesSignals(g)):
			return "" // a system call (os/signal's loop among them) ends from outside
		case n == 0 || bystanders[g.Label] || parked(g):
		case g.State == "":
			return "" // a format without states
		case g.State == "running":
			if servesHTTP(g) {
				return "" // the dump was served over HTTP: the server is listening
			}
			running += n
		case goroutineWaits[g.Label]:
			waiting += n
			unread = unread || g.NoSource
		default:
			return "" // a wait something outside the goroutines can end
		}
		if running > 0 {
			return ""
		}
	}
	if waiting == 0 {
		return ""
	}
	why := "process stopped: no goroutine runs; all wait on channels or locks, none on I/O, a sleep or a syscall"
	switch {
	case c.ev == nil:
		why = "process stopped: all goroutines but the dump's writer wait on channels or locks, none on I/O, a sleep or a syscall"
	case c.ev.Kind != parse.EventSignal:
		why = "process stopped: all goroutines but the one that panicked wait on channels or locks, none on I/O, a sleep or a syscall"
	}
	if unread {
		// A receive from a ticker's or timer's channel ends from outside;
		// only its source line tells it from any other receive.
		why += "; a receive whose source was not found may be a timer's"
	}
	return why
}

// watchesSignals reports whether a goroutine is os/signal's loop: the
// process waits for a signal, which comes from outside, whatever state the
// dump gives the loop.
func watchesSignals(g *Group) bool {
	return slices.ContainsFunc(g.Frames, func(f parse.Frame) bool {
		return f.Func == "os/signal.loop" || f.Func == "os/signal.signal_recv"
	})
}

// servesHTTP reports whether a goroutine runs in net/http's server: the
// pprof handler writing a dump is one, and its server's accept loop waits
// on the network even when a paste leaves it out.
func servesHTTP(g *Group) bool {
	return slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return strings.HasPrefix(f.Func, "net/http.") })
}

// stallVerdict makes the waits of a stopped process suspects (hook of
// judge).
func stallVerdict(g *Group, stall string, raise func(Verdict, string)) {
	if stall != "" && goroutineWaits[g.Label] && !parked(g) && g.Counts[len(g.Counts)-1] > 0 {
		raise(Suspect, stall)
	}
}
