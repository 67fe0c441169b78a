package classify

import (
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// Site returns the blocking site of a stack: the leaf-most frame outside the
// runtime and the standard library (the user's code that is stuck). When
// every frame is library code, it is the goroutine's outermost frame, the
// function it was started with (net/http.(*persistConn).readLoop says more
// than the net.(*netFD).Read it is parked in).
func Site(frames []parse.Frame) *parse.Frame {
	for i := range frames {
		if !isRuntime(frames[i].Func) && !isStdlib(frames[i].Func) && !isGoWrapper(frames[i].Func) {
			return &frames[siteAfterWrappers(frames, i)] // see site.go
		}
	}
	for i := len(frames) - 1; i >= 0; i-- {
		if !isRuntime(frames[i].Func) && !isGoWrapper(frames[i].Func) {
			return &frames[i]
		}
	}
	// The runtime's own goroutines: the function they run.
	for i := len(frames) - 1; i >= 0; i-- {
		if !strings.HasSuffix(frames[i].Func, "goexit") && !isGoWrapper(frames[i].Func) {
			return &frames[i]
		}
	}
	return nil
}

// inferState guesses the wait state from runtime frames, for formats that do
// not print states (pprof debug=1 and protobuf profiles).
func inferState(frames []parse.Frame) string {
	for _, f := range frames {
		switch f.Func {
		case "runtime.chansend1", "runtime.chansend":
			return "chan send"
		case "runtime.chanrecv1", "runtime.chanrecv2", "runtime.chanrecv":
			return "chan receive"
		case "runtime.selectgo":
			return "select"
		case "runtime.block":
			return "select (no cases)"
		case "time.Sleep", "runtime.timeSleep":
			return "sleep"
		case "sync.(*Mutex).Lock", "internal/sync.(*Mutex).Lock":
			return "sync.Mutex.Lock"
		case "sync.(*RWMutex).Lock":
			return "sync.RWMutex.Lock"
		case "sync.(*RWMutex).RLock":
			return "sync.RWMutex.RLock"
		case "sync.(*WaitGroup).Wait":
			return "sync.WaitGroup.Wait"
		case "sync.(*Cond).Wait":
			return "sync.Cond.Wait"
		case "internal/poll.runtime_pollWait", "runtime.netpollblock":
			return "IO wait"
		case "syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6", "internal/runtime/syscall.Syscall6":
			return "syscall"
		}
	}
	return ""
}
