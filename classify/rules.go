package classify

import (
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// Stack is what the rules look at: a group's wait state and its frames.
type Stack struct {
	State     string        // base wait state; inferred from frames when the format has none
	Frames    []parse.Frame // leaf first
	CreatedBy *parse.Frame
}

// Matcher is a predicate over a stack; rules are built from the small
// vocabulary below (goleak's: top function, any function, creator, state).
type Matcher func(*Stack) bool

// Rule gives Label to the stacks Match accepts.
type Rule struct {
	Label Label
	Match Matcher
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
		top := TopNonRuntime(s.Frames)
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
	httpReadLoop   = HasFunc("net/http.(*persistConn).readLoop")
	httpWriteLoop  = HasFunc("net/http.(*persistConn).writeLoop")
	http2ReadLoop  = HasFunc("net/http.(*http2clientConnReadLoop).run", "net/http.(*http2ClientConn).readLoop", "golang.org/x/net/http2.(*clientConnReadLoop).run", "golang.org/x/net/http2.(*ClientConn).readLoop")
	httpHandler    = HasFunc("net/http.HandlerFunc.ServeHTTP", "net/http.serverHandler.ServeHTTP", "net/http.(*ServeMux).ServeHTTP")
	httpServerConn = HasFunc("net/http.(*conn).serve", "net/http.(*connReader).backgroundRead", "net/http.(*http2serverConn).serve", "net/http.(*http2serverConn).readFrames", "golang.org/x/net/http2.(*serverConn).serve", "golang.org/x/net/http2.(*serverConn).readFrames")
	inHandlerCode  = func(s *Stack) bool { return httpHandler(s) && !topIsNetHTTP(s) }
	blockedOnState = Not(StateIs("running", "runnable", "syscall", "IO wait"))
)

func topIsNetHTTP(s *Stack) bool {
	top := TopNonRuntime(s.Frames)
	return top != nil && (strings.HasPrefix(top.Func, "net/http.") || strings.HasPrefix(top.Func, "bufio.") || isStdlib(top.Func) && !strings.HasPrefix(top.Func, "sync."))
}

// Rules is the ordered rule table: the first match gives the label. Specific
// rules (well-known library goroutines) come before the primitive ones that
// only look at the wait state; older spellings of wait states ("semacquire")
// sit beside the newer ones.
var Rules = []Rule{
	{System, Any(StateIs(idleStates...), runtimeOnly,
		// Importing os/signal starts one goroutine for the whole process.
		HasFunc("os/signal.signal_recv", "os/signal.loop", "runtime.ensureSigM", "runtime.ensureSigM.func1"),
		All(CreatedBy("runtime."), Not(HasFuncPrefix("main.")))),
	},
	// A goroutine that is running is not blocked, whatever library it is in.
	{Running, StateIs("running", "runnable")},
	{TestRunner, Any(TopFunc("testing.(*T).Run", "testing.tRunner", "testing.runTests", "testing.(*M).startAlarm.func1", "testing.(*T).Parallel", "testing.runTests.func1", "testing.(*M).Run",
		// A test whose function returned, waiting in tRunner's deferred
		// function for its parallel subtests.
		"testing.tRunner.func1"),
		All(HasFunc("testing.tRunner"), TopFunc("testing.(*T).Run")))},
	{HTTPBodyNotClosed, All(httpReadLoop, StateIs("select"))},
	{HTTPIdleConn, Any(All(httpReadLoop, StateIs("IO wait", "")), All(http2ReadLoop, StateIs("IO wait", "")))},
	{HTTPClientConn, Any(httpWriteLoop, httpReadLoop, http2ReadLoop, HasFunc("net/http.(*persistConn).addTLS.func2"))},
	{HTTPServerHandler, All(inHandlerCode, blockedOnState)},
	{HTTPServerConn, httpServerConn},
	{SQLRowsNotClosed, HasFunc("database/sql.(*Rows).awaitDone")},
	{SQLDBNotClosed, HasFunc("database/sql.(*DB).connectionOpener", "database/sql.(*DB).connectionResetter", "database/sql.(*DB).connectionCleaner")},
	{ExecNotWaited, Any(HasFuncPrefix("os/exec.(*Cmd).Start.func"), HasFunc("os/exec.(*Cmd).watchCtx", "os/exec.(*Cmd).writerDescriptor.func1"), CreatedBy("os/exec."))},
	{IOPipe, HasFunc("io.(*pipe).read", "io.(*pipe).write")},
	{ContextNeverCancelled, Any(HasFuncPrefix("context.(*cancelCtx).propagateCancel.func"), HasFuncPrefix("context.propagateCancel.func"), HasFuncPrefix("context.AfterFunc.func"))},
	{GRPCClientConn, All(HasFuncPrefix("google.golang.org/grpc"), Any(HasFuncPrefix("google.golang.org/grpc/internal/transport.(*http2Client)"), HasFuncPrefix("google.golang.org/grpc.(*ClientConn)"), HasFuncPrefix("google.golang.org/grpc.(*addrConn)"), HasFuncPrefix("google.golang.org/grpc.(*ccBalancerWrapper)"), HasFuncPrefix("google.golang.org/grpc.(*ccResolverWrapper)")))},
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

// label returns the first rule's label that matches s, or Other.
func label(rules []Rule, s *Stack) Label {
	for _, r := range rules {
		if r.Match(s) {
			return r.Label
		}
	}
	return Other
}
