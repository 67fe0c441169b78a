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

// syncLocks are the standard library's locking functions a lock wrapper
// forwards to.
var syncLocks = map[string]bool{
	"sync.(*Mutex).Lock": true, "sync.(*RWMutex).Lock": true, "sync.(*RWMutex).RLock": true,
	"internal/sync.(*Mutex).Lock": true, "sync.(*Mutex).lockSlow": true, "internal/sync.(*Mutex).lockSlow": true,
	"sync.(*RWMutex).rLock": true,
}

// isLockMethod reports whether fn is a method named like taking or
// releasing a lock: "pkg.(*TimedMutex).Lock", "pkg.(*RWMutex).RLock". A
// deadlock detector's Unlock takes its own bookkeeping lock, so it blocks
// on a sync mutex too.
func isLockMethod(fn string) bool {
	i := strings.LastIndexByte(fn, '.')
	if i < 0 || !strings.HasSuffix(fn[:i], ")") {
		return false
	}
	switch fn[i+1:] {
	case "Lock", "RLock", "Unlock", "RUnlock", "lock", "rlock", "rLock":
		return true
	}
	return false
}

// funcPackage returns the import path of fn's package:
// "github.com/a/b.(*T).M" → "github.com/a/b".
func funcPackage(fn string) string {
	slash := strings.LastIndexByte(fn, '/') + 1
	if dot := strings.IndexByte(fn[slash:], '.'); dot >= 0 {
		return fn[:slash+dot]
	}
	return fn
}

// wrapperEnd returns, when frames[i] starts a lock wrapper, the index of
// the wrapper's outermost frame, and -1 otherwise. A wrapper is a run of
// frames of one package up to a Lock, RLock, Unlock or RUnlock method (the
// outermost such method of the run), whose callee (the next frame towards
// the leaf, runtime frames skipped) is a sync lock or another wrapper: a
// TimedMutex's Lock, or a deadlock detector's Unlock that calls its own
// helpers before it locks.
func wrapperEnd(frames []parse.Frame, i int) int {
	pkg := funcPackage(frames[i].Func)
	end := -1
	for k := i; k < len(frames) && funcPackage(frames[k].Func) == pkg; k++ {
		if isLockMethod(frames[k].Func) {
			end = k
		}
	}
	if end < 0 {
		return -1
	}
	j := i - 1
	for j >= 0 && isRuntime(frames[j].Func) {
		j--
	}
	switch {
	case j < 0:
		return -1
	case syncLocks[frames[j].Func]:
		return end
	}
	// Another wrapper? Find where its run starts, towards the leaf.
	callee := funcPackage(frames[j].Func)
	for j > 0 && (isRuntime(frames[j-1].Func) || funcPackage(frames[j-1].Func) == callee) {
		j--
	}
	for isRuntime(frames[j].Func) {
		j++
	}
	if callee != pkg && !isStdlib(frames[j].Func) && wrapperEnd(frames, j) >= 0 {
		return end
	}
	return -1
}

// siteAfterWrappers returns the index of the frame the site should be when
// frames[i] was picked: past every lock wrapper, to the wrapper's caller
// outside the runtime and standard library. It returns i when there is no
// such caller.
func siteAfterWrappers(frames []parse.Frame, i int) int {
	j := i
	for {
		end := wrapperEnd(frames, j)
		if end < 0 {
			return j
		}
		k := end + 1
		for k < len(frames) && (isRuntime(frames[k].Func) || isStdlib(frames[k].Func) || isGoWrapper(frames[k].Func)) {
			k++
		}
		if k == len(frames) {
			return j
		}
		j = k
	}
}
