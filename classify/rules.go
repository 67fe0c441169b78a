package classify

import (
	"strings"

	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/parse"
)

// Stack is what the rules look at: a group's wait state and its frames.
type Stack struct {
	State     string        // base wait state; inferred from frames when the format has none
	Frames    []parse.Frame // leaf first
	CreatedBy *parse.Frame
	// LabelSets are the pprof label sets of the stack's goroutines, and
	// Count how many goroutines it has, in the snapshot the stack was
	// taken from (see [IgnoreLabel]).
	LabelSets []parse.LabelSet
	Count     int
}

// Matcher is a predicate over a stack; rules are built from the small
// vocabulary below (goleak's: top function, any function, creator, state).
type Matcher func(*Stack) bool

// Rule gives Label to the stacks Match accepts, and says what the label
// means: a rule carries its own class, reason and fix, so a custom label
// needs no entry anywhere else. A rule without a Class is [Unknown]:
// never a leak by itself.
type Rule struct {
	Label  Label
	Match  Matcher
	Class  Class
	Reason string // what the goroutines are doing, in one line
	Fix    string // the usual fix, in one line
}

// DefaultRules returns a fresh copy of stackdiff's ordered rule table, each
// rule with its label's [Info]: callers may change, reorder or extend it and
// pass it in [Options].Rules without touching anyone else's.
func DefaultRules() []Rule {
	out := make([]Rule, len(defaultRules))
	for i, r := range defaultRules {
		info := labels[r.Label]
		out[i] = Rule{Label: r.Label, Match: r.Match, Class: info.Class, Reason: info.Reason, Fix: info.Fix}
	}
	return out
}

// StateIs matches any of the given wait states exactly.
func StateIs(states ...string) Matcher {
	return func(s *Stack) bool {
		for _, st := range states {
			if s.State == st {
				return true
			}
		}
		return false
	}
}

// StatePrefix matches wait states that start with p.
func StatePrefix(p string) Matcher {
	return func(s *Stack) bool { return strings.HasPrefix(s.State, p) }
}

// HasFunc matches stacks with a frame whose function is one of names.
func HasFunc(names ...string) Matcher {
	return func(s *Stack) bool {
		for _, f := range s.Frames {
			for _, n := range names {
				if f.Func == n {
					return true
				}
			}
		}
		return false
	}
}

// HasFuncPrefix matches stacks with a frame whose function starts with p.
func HasFuncPrefix(p string) Matcher {
	return func(s *Stack) bool {
		for _, f := range s.Frames {
			if strings.HasPrefix(f.Func, p) {
				return true
			}
		}
		return false
	}
}

// TopFunc matches stacks whose leaf frame, runtime frames skipped, is one of names.
func TopFunc(names ...string) Matcher {
	return func(s *Stack) bool {
		top := display.TopNonRuntime(s.Frames)
		if top == nil {
			return false
		}
		for _, n := range names {
			if top.Func == n {
				return true
			}
		}
		return false
	}
}

// CreatedBy matches stacks whose creator function starts with p.
func CreatedBy(p string) Matcher {
	return func(s *Stack) bool { return s.CreatedBy != nil && strings.HasPrefix(s.CreatedBy.Func, p) }
}

// All matches when every m matches.
func All(ms ...Matcher) Matcher {
	return func(s *Stack) bool {
		for _, m := range ms {
			if !m(s) {
				return false
			}
		}
		return true
	}
}

// Any matches when one m matches.
func Any(ms ...Matcher) Matcher {
	return func(s *Stack) bool {
		for _, m := range ms {
			if m(s) {
				return true
			}
		}
		return false
	}
}

// Not inverts m.
func Not(m Matcher) Matcher { return func(s *Stack) bool { return !m(s) } }

// runtimeOnly matches stacks made only of runtime frames: the scheduler's,
// the GC's and other per-process workers.
func runtimeOnly(s *Stack) bool {
	if len(s.Frames) == 0 {
		return false
	}
	for _, f := range s.Frames {
		if !isRuntime(f.Func) {
			return false
		}
	}
	return true
}

// idleStates are the wait reasons of the runtime's own goroutines.
var idleStates = []string{
	"idle", "force gc (idle)", "GC sweep wait", "GC scavenge wait", "finalizer wait",
	"cleanup wait", "GC worker (idle)", "GC worker (active)", "timer goroutine (idle)",
	"GOMAXPROCS updater (idle)", "trace reader (blocked)", "wait for GC cycle",
	"GC mark termination", "GC assist wait", "GC weak to strong wait",
}

var (
	signalContext = HasFunc("os/signal.NotifyContext.func1")
	httpReadLoop  = HasFunc("net/http.(*persistConn).readLoop")
	httpWriteLoop = HasFunc("net/http.(*persistConn).writeLoop")
	http2ReadLoop = HasFunc("net/http.(*http2clientConnReadLoop).run", "net/http.(*http2ClientConn).readLoop", "golang.org/x/net/http2.(*clientConnReadLoop).run", "golang.org/x/net/http2.(*ClientConn).readLoop",
		"net/http/internal/http2.(*clientConnReadLoop).run", "net/http/internal/http2.(*ClientConn).readLoop") // Go 1.27 moved net/http's HTTP/2 there
	httpServerConn = HasFunc("net/http.(*conn).serve", "net/http.(*connReader).backgroundRead", "net/http.(*http2serverConn).serve", "net/http.(*http2serverConn).readFrames", "golang.org/x/net/http2.(*serverConn).serve", "golang.org/x/net/http2.(*serverConn).readFrames",
		"net/http/internal/http2.(*serverConn).serve", "net/http/internal/http2.(*serverConn).readFrames")
)

// defaultRules is the ordered rule table: the first match gives the label.
// Specific rules (well-known library goroutines) come before the primitive
// ones that only look at the wait state; older spellings of wait states
// ("semacquire") sit beside the newer ones. The words for each label are
// in labels.
var defaultRules = []struct {
	Label Label
	Match Matcher
}{
	{System, Any(StateIs(idleStates...), runtimeOnly,
		// Importing os/signal starts one goroutine for the whole process.
		// signal.NotifyContext starts one per context, waiting for the signal.
		HasFunc("os/signal.signal_recv", "os/signal.loop", "runtime.ensureSigM", "runtime.ensureSigM.func1", "os/signal.NotifyContext.func1"),
		All(CreatedBy("runtime."), Not(HasFuncPrefix("main.")))),
	},
	// A goroutine that is running is not blocked, whatever library it is in.
	{Running, StateIs("running", "runnable")},
	// Created and not started yet: the formats without states (debug=1,
	// protobuf) print such a goroutine with runtime.goexit alone, which
	// leaves no frame. It runs as soon as it is scheduled.
	{Running, All(StateIs(""), func(s *Stack) bool { return len(s.Frames) == 0 })},
	{TestRunner, Any(TopFunc("testing.(*T).Run", "testing.tRunner", "testing.runTests", "testing.(*M).startAlarm.func1", "testing.(*T).Parallel", "testing.runTests.func1", "testing.(*M).Run",
		// A test whose function returned, waiting in tRunner's deferred
		// function for its parallel subtests.
		"testing.tRunner.func1"),
		All(HasFunc("testing.tRunner"), TopFunc("testing.(*T).Run")))},
	{HTTPBodyNotClosed, All(httpReadLoop, Any(StateIs("select"), readLoopParked))},
	{HTTPIdleConn, Any(All(httpReadLoop, StateIs("IO wait")), All(http2ReadLoop, StateIs("IO wait", "")))},
	{HTTPClientConn, Any(httpWriteLoop, httpReadLoop, http2ReadLoop, HasFunc("net/http.(*persistConn).addTLS.func2"))},
	// A goroutine serving a request blocked anywhere (a network read of
	// its own included) is the handler, not the connection.
	{HTTPServerHandler, All(inHandler, Not(StateIs("running", "runnable", "syscall")))},
	{HTTPServerConn, httpServerConn},
	{SQLRowsNotClosed, HasFunc("database/sql.(*Rows).awaitDone")},
	{SQLDBNotClosed, HasFunc("database/sql.(*DB).connectionOpener", "database/sql.(*DB).connectionResetter", "database/sql.(*DB).connectionCleaner")},
	{ExecNotWaited, Any(HasFuncPrefix("os/exec.(*Cmd).Start.func"), HasFunc("os/exec.(*Cmd).watchCtx", "os/exec.(*Cmd).writerDescriptor.func1"), CreatedBy("os/exec."))},
	{IOPipe, HasFunc("io.(*pipe).read", "io.(*pipe).write")},
	{ContextNeverCancelled, Any(HasFuncPrefix("context.(*cancelCtx).propagateCancel.func"), HasFuncPrefix("context.propagateCancel.func"), HasFuncPrefix("context.AfterFunc.func"))},
	{GRPCServerHandler, All(grpcUnaryHandler, Not(StateIs("running", "runnable", "syscall")))},
	{GRPCClientConn, All(HasFuncPrefix("google.golang.org/grpc"), Any(HasFuncPrefix("google.golang.org/grpc/internal/transport.(*http2Client)"), HasFuncPrefix("google.golang.org/grpc.(*ClientConn)"), HasFuncPrefix("google.golang.org/grpc.(*addrConn)"), HasFuncPrefix("google.golang.org/grpc.(*ccBalancerWrapper)"), HasFuncPrefix("google.golang.org/grpc.(*ccResolverWrapper)"),
		// The serializer runs a ClientConn's resolver and balancer callbacks.
		HasFuncPrefix("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer)")))},
	{GRPCServerConn, HasFuncPrefix("google.golang.org/grpc")},
	{NetListener, Any(HasFunc("net.(*TCPListener).Accept", "net.(*UnixListener).Accept", "net.(*netFD).accept", "net/http.(*Server).Serve"))},
	{Sleep, Any(StateIs("sleep"), TopFunc("time.Sleep"))},
	{NilChan, StateIs("chan send (nil chan)", "chan receive (nil chan)")},
	{ChanSend, StatePrefix("chan send")},
	{ChanReceive, StatePrefix("chan receive")},
	{SelectNoCases, StatePrefix("select (no cases)")},
	{Select, StatePrefix("select")},
	{MutexLock, Any(StateIs("sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock"),
		All(StateIs("semacquire", ""), HasFunc("sync.(*Mutex).Lock", "sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock")))},
	{WaitGroup, Any(StateIs("sync.WaitGroup.Wait"), All(StateIs("semacquire", ""), HasFunc("sync.(*WaitGroup).Wait")))},
	{CondWait, Any(StateIs("sync.Cond.Wait"), All(StateIs("semacquire", ""), HasFunc("sync.(*Cond).Wait")))},
	// A second reader (or writer) of one connection queues on the fd's
	// lock: it waits for the network as much as the first.
	{IOWaitNet, Any(StateIs("IO wait"), All(StateIs("semacquire"), HasFunc("internal/poll.(*fdMutex).rwlock")))},
	{Syscall, StatePrefix("syscall")},
}

// other is the rule of a stack no rule matches.
var other = Rule{Label: Other, Class: labels[Other].Class, Reason: labels[Other].Reason, Fix: labels[Other].Fix}

// match returns the first rule that matches s, or the rule for Other.
func match(rules []Rule, s *Stack) *Rule {
	for i := range rules {
		if rules[i].Match != nil && rules[i].Match(s) {
			return &rules[i]
		}
	}
	return &other
}
