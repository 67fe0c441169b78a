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
// its labels; the default rules carry the same words. The manual's label
// table is generated from it (a test keeps them in step).
func DefaultLabels() map[Label]Info { return maps.Clone(labels) }
