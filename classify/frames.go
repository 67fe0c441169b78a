package classify

import (
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// isRuntime reports whether fn belongs to the runtime proper (not
// runtime/pprof and friends).
// Functions the runtime provides to other packages by linkname
// (sync.runtime_SemacquireWaitGroup, internal/poll.runtime_pollWait) count
// as the runtime's too.
func isRuntime(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/") ||
		strings.HasPrefix(fn, "runtime/internal/") || fn == "goexit" || strings.Contains(fn, ".runtime_")
}

// isStdlib reports whether fn is in the standard library: its import path's
// first element has no dot ("net/http", "internal/poll", "sync") and is not
// package main. Modules named without a dot are mistaken for it; the
// blocking site then falls back to the first non-runtime frame.
func isStdlib(fn string) bool {
	if strings.HasPrefix(fn, "main.") {
		return false
	}
	first := fn
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	} else if i := strings.IndexByte(first, '.'); i >= 0 {
		first = first[:i]
	}
	return !strings.Contains(first, ".")
}

// TopNonRuntime returns the leaf-most frame outside the runtime, or nil.
func TopNonRuntime(frames []parse.Frame) *parse.Frame {
	for i := range frames {
		if !isRuntime(frames[i].Func) {
			return &frames[i]
		}
	}
	return nil
}

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

// VisibleFrames returns the frames worth showing a person: the runtime's
// own leaf frames and the final runtime.goexit dropped (see stackFrames).
func VisibleFrames(frames []parse.Frame) []parse.Frame { return stackFrames(frames) }

// IsStdlib reports whether fn belongs to the Go runtime or standard library.
func IsStdlib(fn string) bool { return isRuntime(fn) || isStdlib(fn) }

// stackFrames drops the frames that differ between dump kinds for one
// goroutine: the runtime's own frames at the leaf (shown by SIGQUIT
// tracebacks and profiles, hidden by runtime.Stack), a final
// runtime.goexit and the go statement's wrapper before it (see site.go).
func stackFrames(frames []parse.Frame) []parse.Frame {
	i := 0
	for i < len(frames) && isRuntime(frames[i].Func) {
		i++
	}
	if i == len(frames) {
		return frames // all runtime: keep them, they are the identity
	}
	j := len(frames)
	for j > i && isRuntime(frames[j-1].Func) && strings.HasSuffix(frames[j-1].Func, "goexit") {
		j--
	}
	for j > i+1 && isGoWrapper(frames[j-1].Func) {
		j--
	}
	return frames[i:j]
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
