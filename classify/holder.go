package classify

import (
	"fmt"
	"path"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// A crowd of goroutines waiting for one lock is a symptom; the cause is the
// goroutine that holds it and is itself stuck somewhere else: sending on a
// channel, in a network call, in a syscall, waiting for another lock. A
// dump does not say who holds a lock, but the holder is almost always
// inside a method of the same type as the waiters (the lock guards that
// type's fields) and has been blocked at least as long as they have. When
// exactly one group fits, it is a suspect and ranked above the waiters.
//
// The candidates are groups, not waiting for a lock in a method of the
// same type (those are more waiters, reached from other methods), that have
// a frame of a method of the waiters' receiver type ("pkg.(*Store)"); idle
// loops (a sleep, a ticker) and the runtime's goroutines are not. When the
// waiters have waited for minutes, a holder has waited as long. When more
// than one group remains, those that entered the method from elsewhere (a
// call, not the goroutine's own loop) are preferred; if that still leaves
// several, nothing is said: a guess would mislead.

// maxHolders is how many groups one crowd of waiters may have as holders
// before the guess is dropped.
const maxHolders = 1

// receiverType returns the pointer receiver type of a method, with its
// package: "example.com/app.(*Store).Get.func1" → "example.com/app.(*Store)";
// "" for a function that is no pointer method.
func receiverType(fn string) string {
	slash := strings.LastIndexByte(fn, '/') + 1
	i := strings.Index(fn[slash:], ".(*")
	if i < 0 {
		return ""
	}
	i += slash
	j := strings.Index(fn[i:], ").")
	if j < 0 {
		return ""
	}
	return fn[:i+j+1]
}

// holderFrame returns the index of the leaf-most frame of g that is a
// method of type t, or -1.
func holderFrame(g *Group, t string) int {
	for i, f := range g.Frames {
		if receiverType(f.Func) == t {
			return i
		}
	}
	return -1
}

// rootFrame returns the index of the function a goroutine was started
// with: its outermost frame past the runtime's, the go statement's wrapper
// and a spawning helper's closure (sync.WaitGroup.Go.func1).
func rootFrame(frames []parse.Frame) int {
	i := len(frames) - 1
	for i > 0 && (isRuntime(frames[i].Func) || isGoWrapper(frames[i].Func) || isSpawner(frames[i].Func)) {
		i--
	}
	return i
}

// idleHolder labels are waits a goroutine does not do while it holds a
// lock others need, in all likelihood: it sleeps or ticks between rounds.
var idleHolder = map[Label]bool{Sleep: true, Ticker: true, Timer: true, NetListener: true}

// findHolders raises, for every crowd of lock waiters that is already a
// suspect or a leak, the one group that likely holds their lock.
func (c *comparer) findHolders(groups []*Group) []*Group {
	var raised []*Group
	for _, w := range groups {
		last := w.Counts[len(w.Counts)-1]
		if w.Label != MutexLock || w.Verdict == OK || w.Site == nil || last == 0 {
			continue
		}
		t := receiverType(w.Site.Func)
		if t == "" {
			continue
		}
		var called, looping []*Group
		for _, h := range groups {
			if h == w || h.Counts[len(h.Counts)-1] == 0 || idleHolder[h.Label] || h.Class == Benign && h.Label != Running && h.Label != Syscall {
				continue
			}
			if h.Label == MutexLock && h.Site != nil && receiverType(h.Site.Func) == t {
				continue // waiting for a lock of the same type: another waiter
			}
			i := holderFrame(h, t)
			if i < 0 || h.WaitMinutes[1] < w.WaitMinutes[1] {
				continue
			}
			if i == rootFrame(h.Frames) {
				looping = append(looping, h) // the goroutine was started in the method
			} else {
				called = append(called, h)
			}
		}
		holders := called
		if len(holders) == 0 {
			holders = looping
		}
		if len(holders) == 0 || len(holders) > maxHolders {
			continue
		}
		h := holders[0]
		where := "at " + w.Site.Func
		if w.Site.File != "" {
			where = fmt.Sprintf("at %s %s:%d", ShortFunc(w.Site.Func), path.Base(w.Site.File), w.Site.Line)
		}
		long := ""
		if m := w.WaitMinutes[1]; m > 0 {
			long = fmt.Sprintf(" for at least as long (%d minutes)", m)
		}
		waiters := fmt.Sprintf("%d goroutines wait", last)
		if last == 1 {
			waiters = "1 goroutine waits"
		}
		h.Evidence = append(h.Evidence, fmt.Sprintf("may hold the lock %s for %s: it is inside %s, blocked (%s)%s", waiters, where, ShortFunc(t), h.State, long))
		if h.Verdict == OK {
			h.Verdict = Suspect
			raised = append(raised, h)
		}
		h.Suspicion = max(h.Suspicion, w.Suspicion+1)
	}
	return raised
}

// ShortFunc drops a function's import path but its last element, as the
// reports and the evidence print it: "example.com/app.(*Store).Get" →
// "app.(*Store).Get".
func ShortFunc(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}
