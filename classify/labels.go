package classify

import "maps"

// Label names what a group of goroutines is blocked on, from a fixed
// vocabulary (the contract's labels plus well-known library goroutines).
type Label string

// Primitive labels, from the wait state.
const (
	ChanSend      Label = "chan-send"
	ChanReceive   Label = "chan-receive"
	NilChan       Label = "nil-chan"
	Select        Label = "select"
	SelectNoCases Label = "select-no-cases"
	Sleep         Label = "sleep"
	MutexLock     Label = "mutex-lock"
	WaitGroup     Label = "waitgroup"
	CondWait      Label = "cond-wait"
	IOWaitNet     Label = "io-wait-net"
	Syscall       Label = "syscall"
	Running       Label = "running"
	Other         Label = "other"
)

// Specific labels, from well-known frames or the blocking source line; they
// win over primitive ones.
const (
	Timer                 Label = "timer"
	Ticker                Label = "ticker"
	HTTPBodyNotClosed     Label = "http-body-not-closed"
	HTTPIdleConn          Label = "http-idle-conn"
	HTTPClientConn        Label = "http-client-conn"
	HTTPServerHandler     Label = "http-server-handler"
	HTTPServerConn        Label = "http-server-conn"
	ContextNeverCancelled Label = "context-never-cancelled"
	System                Label = "system"
	NetListener           Label = "net-listener"
	SQLRowsNotClosed      Label = "sql-rows-not-closed"
	SQLDBNotClosed        Label = "sql-db-not-closed"
	ExecNotWaited         Label = "exec-not-waited"
	IOPipe                Label = "io-pipe"
	GRPCClientConn        Label = "grpc-client-conn"
	GRPCServerConn        Label = "grpc-server-conn"
	GRPCServerHandler     Label = "grpc-server-handler"
	TestRunner            Label = "test-runner"
)

// Class says whether new goroutines of a label are a leak.
type Class int

const (
	// Unknown is the zero Class: a label nobody classified (a custom rule
	// that did not say). It is never a leak by itself: new goroutines are
	// suspects, and only the runtime's proof ("(leaked)") makes a leak.
	Unknown Class = iota
	// Blocking labels park a goroutine until someone else acts; new ones
	// in a diff are a leak.
	Blocking
	// Doubtful labels may be legitimate when new (a server connection a
	// client keeps open, an unknown wait); new ones are suspects.
	Doubtful
	// Benign labels are never a leak: running, in a syscall, runtime
	// singletons, listeners.
	Benign
)

// Info is what stackdiff tells a person about a label.
type Info struct {
	Class  Class
	Reason string // what the goroutines are doing, in one line
	Fix    string // the usual fix, in one line
}

// DefaultLabels returns a fresh copy of what stackdiff says about each of
// its labels; the default rules carry the same words. The README's label
// table is generated from it (a test keeps them in step).
func DefaultLabels() map[Label]Info { return maps.Clone(labels) }

// labels describes every built-in label, including those that no rule
// gives: Other (no rule matched) and the refinements of a receive (Timer,
// Ticker, ContextNeverCancelled).
var labels = map[Label]Info{
	ChanSend: {Blocking,
		"blocked sending on a channel that nobody receives from",
		"give the channel a buffer, or select on ctx.Done() so the sender can give up"},
	ChanReceive: {Blocking,
		"blocked receiving from a channel that nobody sends on or closes",
		"close the channel when the producer is done, or select on ctx.Done()"},
	NilChan: {Blocking,
		"blocked forever on a nil channel",
		"initialise the channel (make) before use; a nil channel never becomes ready"},
	Select: {Blocking,
		"parked in a select: none of its cases is ready",
		"add a case <-ctx.Done() (or a done channel) so the goroutine can exit"},
	SelectNoCases: {Blocking,
		"parked forever in an empty select {}",
		"replace select {} with a wait on a signal, context or done channel"},
	Sleep: {Blocking,
		"sleeping in time.Sleep, usually inside a loop with no way out",
		"use a time.Ticker or time.After inside a select with ctx.Done()"},
	MutexLock: {Blocking,
		"waiting for a sync.Mutex or RWMutex that is never released (lock-order deadlock or a missing Unlock)",
		"defer mu.Unlock() right after Lock, and take locks in one global order"},
	WaitGroup: {Blocking,
		"waiting in sync.WaitGroup.Wait for a Done that never comes",
		"make every Add match a Done (defer wg.Done() first thing in the goroutine)"},
	CondWait: {Blocking,
		"waiting in sync.Cond.Wait for a Signal or Broadcast that never comes",
		"signal the condition on every state change, or use a channel instead"},
	IOWaitNet: {Doubtful,
		"waiting for network I/O",
		"set deadlines on connections and close them when done"},
	Syscall: {Benign,
		"in a system call",
		"usually fine; if it never returns, check blocking reads on files, pipes or devices"},
	Running: {Benign,
		"running or runnable, not blocked",
		"nothing to fix unless it spins; profile CPU if it does"},
	Other: {Doubtful,
		"in a wait state stackdiff has no rule for",
		"read the stack: the wait state and the blocking frame say what it waits for"},
	Timer: {Blocking,
		"waiting on a time.Timer channel that will never fire (stopped, or never reset)",
		"after timer.Stop() do not receive from timer.C; select on the timer and ctx.Done()"},
	Ticker: {Blocking,
		"a loop driven by a time.Ticker with no exit path",
		"select on ticker.C and ctx.Done(), and defer ticker.Stop()"},
	HTTPBodyNotClosed: {Blocking,
		"net/http client connection whose response body was never read to EOF or closed",
		"defer resp.Body.Close() after every successful request, and drain the body"},
	HTTPIdleConn: {Blocking,
		"idle keep-alive connection of an http.Transport that is never closed",
		"reuse one http.Client/Transport, or call transport.CloseIdleConnections()"},
	HTTPClientConn: {Blocking,
		"write loop of an open net/http client connection",
		"close response bodies and idle connections; it goes away with its read loop"},
	HTTPServerHandler: {Blocking,
		"an HTTP handler that never returns",
		"make the handler honour r.Context().Done() and set server timeouts"},
	HTTPServerConn: {Doubtful,
		"server side of a kept-open HTTP connection, waiting for the next request",
		"set http.Server IdleTimeout/ReadTimeout; clients should close idle connections"},
	ContextNeverCancelled: {Blocking,
		"waiting on ctx.Done() of a context nothing has cancelled",
		"defer cancel() right after context.WithCancel/WithTimeout"},
	System: {Benign,
		"runtime or library singleton (signal handling, GC, finalizers)",
		"nothing to fix: it exists once per process"},
	// A listener is expected, but a new one is a server started and
	// never closed (an httptest.Server, an http.Server without Close).
	NetListener: {Doubtful,
		"a listener waiting in Accept",
		"nothing to fix unless listeners grow: then close the listener (or the server) when done"},
	SQLRowsNotClosed: {Blocking,
		"database/sql rows whose Close was never called (awaitDone waits for the context)",
		"defer rows.Close() after every successful Query, and check rows.Err()"},
	SQLDBNotClosed: {Blocking,
		"a database/sql DB handle that is never closed (its connection opener lives on)",
		"open one *sql.DB per database and reuse it; Close it when done"},
	ExecNotWaited: {Blocking,
		"os/exec command started but never waited for (its I/O copying goroutines live on)",
		"call cmd.Wait() after cmd.Start(), or use cmd.Run()"},
	IOPipe: {Blocking,
		"blocked on an io.Pipe whose other end was abandoned",
		"close both ends: PipeWriter.CloseWithError on failure, PipeReader.Close when done"},
	GRPCClientConn: {Doubtful,
		"goroutine of an open gRPC client connection",
		"Close every grpc.ClientConn you dial, or share one"},
	GRPCServerConn: {Doubtful,
		"goroutine of an open gRPC server transport",
		"set keepalive/MaxConnectionIdle on the server; clients should close their conns"},
	// A unary call in flight looks the same as one that hangs; only the
	// wait tells them apart, so a new one is a suspect, never a leak.
	GRPCServerHandler: {Doubtful,
		"a gRPC server's unary method handler that has not returned",
		"honour the call's ctx and give its outgoing calls a deadline"},
	TestRunner: {Benign,
		"the testing package's own goroutines (test runner, timeout alarm)",
		"nothing to fix"},
}
