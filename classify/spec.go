package classify

// specs is everything stackdiff knows of each built-in label, in one place:
// what it means and its usual fix (DefaultLabels), whether new goroutines
// of it are a leak (Class), and how a dump without a baseline judges it
// (DefaultWaits: weight, minutes and crowd from which it is a suspect, and
// why). The rules in rules.go say only which stacks get which label; the
// manual's tables are generated from this one (tests keep them in step).
var specs = map[Label]spec{
	ChanSend: {info: Info{Blocking,
		"blocked sending on a channel that nobody receives from",
		"give the channel a buffer, or select on ctx.Done() so the sender can give up"},
		wait: &Wait{weightAbnormal, 5, crowdAbnormal, "a sender waits for a receiver that should be there"}},
	ChanReceive: {info: Info{Blocking,
		"blocked receiving from a channel that nobody sends on or closes",
		"close the channel when the producer is done, or select on ctx.Done()"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a worker waits for jobs for days"}},
	NilChan: {info: Info{Blocking,
		"blocked forever on a nil channel",
		"initialise the channel (make) before use; a nil channel never becomes ready"},
		wait: &Wait{weightNeverEnds, 0, crowdAbnormal, "a nil channel is never ready; suspect at any length outside main"}},
	Select: {info: Info{Blocking,
		"parked in a select: none of its cases is ready",
		"add a case <-ctx.Done() (or a done channel) so the goroutine can exit"},
		wait: &Wait{weightIdle, 0, crowdIdle, "an event loop waits for days"}},
	SelectNoCases: {info: Info{Blocking,
		"parked forever in an empty select {}",
		"replace select {} with a wait on a signal, context or done channel"},
		wait: &Wait{weightNeverEnds, 0, crowdAbnormal, "an empty select never returns; suspect at any length outside main"}},
	Sleep: {info: Info{Blocking,
		"sleeping in time.Sleep, usually inside a loop with no way out",
		"use a time.Ticker or time.After inside a select with ctx.Done()"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a polling loop sleeps between rounds"}},
	MutexLock: {info: Info{Blocking,
		"waiting for a sync.Mutex or RWMutex that is never released (lock-order deadlock or a missing Unlock)",
		"defer mu.Unlock() right after Lock, and take locks in one global order"},
		wait: &Wait{weightAbnormal, 1, crowdAbnormal, "a lock is held for microseconds; a minute is already a bug"}},
	WaitGroup: {info: Info{Blocking,
		"waiting in sync.WaitGroup.Wait for a Done that never comes",
		"make every Add match a Done (defer wg.Done() first thing in the goroutine)"},
		wait: &Wait{weightLong, 10, crowdAbnormal, "a WaitGroup waits for work of a request's length"}},
	CondWait: {info: Info{Blocking,
		"waiting in sync.Cond.Wait for a Signal or Broadcast that never comes",
		"signal the condition on every state change, or use a channel instead"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a pool of workers or a connection's writer waits on its condition for days"}},
	IOWaitNet: {info: Info{Doubtful,
		"waiting for network I/O",
		"set deadlines on connections and close them when done"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a connection waits for its peer"}},
	Syscall: {info: Info{Benign,
		"in a system call",
		"usually fine; if it never returns, check blocking reads on files, pipes or devices"}},
	Running: {info: Info{Benign,
		"running or runnable, not blocked",
		"nothing to fix unless it spins; profile CPU if it does"}},
	Other: {info: Info{Doubtful,
		"in a wait state stackdiff has no rule for",
		"read the stack: the wait state and the blocking frame say what it waits for"},
		wait: &Wait{weightLong, 10, crowdIdle, "an unknown wait is read with care"}},
	Timer: {info: Info{Blocking,
		"waiting on a time.Timer channel that will never fire (stopped, or never reset)",
		"after timer.Stop() do not receive from timer.C; select on the timer and ctx.Done()"},
		wait: &Wait{weightAbnormal, 10, crowdAbnormal, "a timer fires or is stopped and not received from"}},
	Ticker: {info: Info{Blocking,
		"a loop driven by a time.Ticker with no exit path",
		"select on ticker.C and ctx.Done(), and defer ticker.Stop()"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a periodic loop waits for its tick"}},
	HTTPBodyNotClosed: {info: Info{Blocking,
		"net/http client connection whose response body was never read to EOF or closed",
		"defer resp.Body.Close() after every successful request, and drain the body"},
		wait: &Wait{weightAbnormal, 10, crowdAbnormal, "a response body is read and closed within a request"}},
	HTTPIdleConn: {info: Info{Blocking,
		"idle keep-alive connection of an http.Transport that is never closed",
		"reuse one http.Client/Transport, or call transport.CloseIdleConnections()"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a kept-alive connection waits for reuse"}},
	HTTPClientConn: {info: Info{Blocking,
		"write loop of an open net/http client connection",
		"close response bodies and idle connections; it goes away with its read loop"},
		wait: &Wait{weightCompanion, 0, crowdIdle, "the write loop lives as long as its read loop"}},
	HTTPServerHandler: {info: Info{Blocking,
		"an HTTP handler that never returns",
		"make the handler honour r.Context().Done() and set server timeouts"},
		wait: &Wait{weightLong, 10, crowdAbnormal, "a handler answers within a request (streams excepted)"}},
	HTTPServerConn: {info: Info{Doubtful,
		"server side of a kept-open HTTP connection, waiting for the next request",
		"set http.Server IdleTimeout/ReadTimeout; clients should close idle connections"},
		wait: &Wait{weightCompanion, 0, crowdIdle, "a server keeps its clients' connections open"}},
	ContextNeverCancelled: {info: Info{Blocking,
		"waiting on ctx.Done() of a context nothing has cancelled",
		"defer cancel() right after context.WithCancel/WithTimeout"},
		wait: &Wait{weightAbnormal, 10, crowdAbnormal, "a context is cancelled when its work is done"}},
	System: {info: Info{Benign,
		"runtime or library singleton (signal handling, GC, finalizers)",
		"nothing to fix: it exists once per process"}},
	// A listener is expected, but a new one is a server started and
	// never closed (an httptest.Server, an http.Server without Close).
	NetListener: {info: Info{Doubtful,
		"a listener waiting in Accept",
		"nothing to fix unless listeners grow: then close the listener (or the server) when done"},
		wait: &Wait{weightCompanion, 0, crowdIdle, "a server accepts for as long as it runs"}},
	SQLRowsNotClosed: {info: Info{Blocking,
		"database/sql rows whose Close was never called (awaitDone waits for the context)",
		"defer rows.Close() after every successful Query, and check rows.Err()"},
		wait: &Wait{weightAbnormal, 10, crowdAbnormal, "rows are read and closed within a request"}},
	SQLDBNotClosed: {info: Info{Blocking,
		"a database/sql DB handle that is never closed (its connection opener lives on)",
		"open one *sql.DB per database and reuse it; Close it when done"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a DB handle's opener lives as long as the handle"}},
	ExecNotWaited: {info: Info{Blocking,
		"os/exec command started but never waited for (its I/O copying goroutines live on)",
		"call cmd.Wait() after cmd.Start(), or use cmd.Run()"},
		wait: &Wait{weightAbnormal, 10, crowdAbnormal, "a started command is waited for"}},
	IOPipe: {info: Info{Blocking,
		"blocked on an io.Pipe whose other end was abandoned",
		"close both ends: PipeWriter.CloseWithError on failure, PipeReader.Close when done"},
		wait: &Wait{weightAbnormal, 5, crowdAbnormal, "a pipe's other end is read or written right away"}},
	GRPCClientConn: {info: Info{Doubtful,
		"goroutine of an open gRPC client connection",
		"Close every grpc.ClientConn you dial, or share one"},
		wait: &Wait{weightIdle, 0, crowdIdle, "a client connection lives as long as the process"}},
	GRPCServerConn: {info: Info{Doubtful,
		"goroutine of an open gRPC server transport",
		"set keepalive/MaxConnectionIdle on the server; clients should close their conns"},
		wait: &Wait{weightCompanion, 0, crowdIdle, "a server keeps its clients' connections open"}},
	// A unary call in flight looks the same as one that hangs; only the
	// wait tells them apart, so a new one is a suspect, never a leak.
	GRPCServerHandler: {info: Info{Doubtful,
		"a gRPC server's unary method handler that has not returned",
		"honour the call's ctx and give its outgoing calls a deadline"},
		wait: &Wait{weightLong, 10, crowdAbnormal, "a unary call answers within a request"}},
	TestRunner: {info: Info{Benign,
		"the testing package's own goroutines (test runner, timeout alarm)",
		"nothing to fix"}},
}

// spec is one label's entry: its Info, and its Wait when the label can be
// a leak or a suspect (benign labels have none).
type spec struct {
	info Info
	wait *Wait
}

// labels and waits are the two views of specs the code reads.
var labels, waits = splitSpecs()

func splitSpecs() (map[Label]Info, map[Label]Wait) {
	infos, ws := map[Label]Info{}, map[Label]Wait{}
	for l, s := range specs {
		infos[l] = s.info
		if s.wait != nil {
			ws[l] = *s.wait
		}
	}
	return infos, ws
}
