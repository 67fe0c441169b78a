package classify

import (
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// The blocking site is where a person starts reading. Two kinds of frames
// would put it in the wrong place:
//
//   - compiler wrappers of a go statement ("pkg.F.gowrap2"): SIGQUIT and
//     crash tracebacks print them at the root of a goroutine, runtime.Stack
//     and the pprof handler do not. They say nothing, and must not split
//     one stack into two groups.
//   - lock wrappers: a type whose Lock or RLock only forwards to a sync
//     mutex (a TimedMutex, a deadlock detector's Mutex). The goroutine is
//     stuck where the wrapper was called, not in the wrapper.

// isGoWrapper reports whether fn is the compiler's wrapper of a go
// statement: "net/http.(*Transport).dialConn.gowrap2".
func isGoWrapper(fn string) bool {
	i := strings.LastIndex(fn, ".gowrap")
	if i < 0 {
		return false
	}
	rest := fn[i+len(".gowrap"):]
	if rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// syncLocks are the standard library's locking functions a lock wrapper
// forwards to.
var syncLocks = map[string]bool{
	"sync.(*Mutex).Lock": true, "sync.(*RWMutex).Lock": true, "sync.(*RWMutex).RLock": true,
	"internal/sync.(*Mutex).Lock": true, "sync.(*Mutex).lockSlow": true, "internal/sync.(*Mutex).lockSlow": true,
	"sync.(*RWMutex).rLock": true,
}

// isLockMethod reports whether fn is a method named like a lock
// acquisition: "pkg.(*TimedMutex).Lock", "pkg.(*RWMutex).RLock".
func isLockMethod(fn string) bool {
	i := strings.LastIndexByte(fn, '.')
	if i < 0 || !strings.HasSuffix(fn[:i], ")") {
		return false
	}
	switch fn[i+1:] {
	case "Lock", "RLock", "lock", "rlock", "rLock":
		return true
	}
	return false
}

// forwardsToLock reports whether frames[i] is a lock wrapper: a Lock or
// RLock method whose callee (the next frame towards the leaf, runtime
// frames skipped) is a sync lock or another such wrapper.
func forwardsToLock(frames []parse.Frame, i int) bool {
	if !isLockMethod(frames[i].Func) {
		return false
	}
	for j := i - 1; j >= 0; j-- {
		fn := frames[j].Func
		if isRuntime(fn) {
			continue
		}
		return syncLocks[fn] || isLockMethod(fn) && forwardsToLock(frames, j)
	}
	return false
}

// siteAfterWrappers returns the index of the frame the site should be when
// frames[i] was picked: past every lock wrapper, to the wrapper's caller
// outside the runtime and standard library. It returns i when there is no
// such caller.
func siteAfterWrappers(frames []parse.Frame, i int) int {
	j := i
	for forwardsToLock(frames, j) {
		k := j + 1
		for k < len(frames) && (isRuntime(frames[k].Func) || isStdlib(frames[k].Func) || isGoWrapper(frames[k].Func)) {
			k++
		}
		if k == len(frames) {
			return j
		}
		j = k
	}
	return j
}
