package classify

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/internal/display"
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
// loops (a sleep, a ticker, a goroutine's own loop waiting in a select or
// a receive) and the runtime's goroutines are not. When the
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

// lockWaiters are the suspect lock waiters of one receiver type.
type lockWaiters struct {
	n       int    // goroutines
	wait    int    // the longest wait, in minutes
	most    *Group // the largest group, named in the evidence
	score   int    // the highest suspicion among them
	called  []*Group
	looping []*Group
}

// idleLoop labels are the waits of a goroutine's own loop between rounds
// of work (a select on its channels, a receive of the next job): such a
// loop is idle, not holding a lock.
var idleLoop = map[Label]bool{Select: true, ChanReceive: true}

// findHolders raises, for the lock waiters of each receiver type that are
// already suspects or leaks, the one group that likely holds their lock.
// It costs one pass over the groups' frames, however many waiters there
// are.
func (c *comparer) findHolders(groups []*Group) []*Group {
	byType := map[string]*lockWaiters{}
	for _, w := range groups {
		n := w.Counts[len(w.Counts)-1]
		if w.Label != MutexLock || w.Verdict == OK || w.Site == nil || n == 0 {
			continue
		}
		t := receiverType(w.Site.Func)
		if t == "" {
			continue
		}
		lw := byType[t]
		if lw == nil {
			lw = &lockWaiters{}
			byType[t] = lw
		}
		lw.n += n
		lw.wait = max(lw.wait, w.WaitMinutes[1])
		lw.score = max(lw.score, w.Suspicion)
		if lw.most == nil || n > lw.most.Counts[len(lw.most.Counts)-1] {
			lw.most = w
		}
	}
	if len(byType) == 0 {
		return nil
	}
	for _, h := range groups {
		if h.Counts[len(h.Counts)-1] == 0 || idleHolder[h.Label] || h.Class == Benign && h.Label != Running && h.Label != Syscall {
			continue
		}
		waiting := "" // the type whose lock h itself waits for
		if h.Label == MutexLock && h.Site != nil {
			waiting = receiverType(h.Site.Func)
		}
		root := rootFrame(h.Frames)
		seen := ""
		for i, f := range h.Frames {
			t := receiverType(f.Func)
			lw := byType[t]
			if lw == nil || t == waiting || t == seen || h.WaitMinutes[1] < lw.wait {
				continue
			}
			seen = t // the leaf-most frame of a type decides
			if i == root {
				if idleLoop[h.Label] {
					continue // an event loop waiting for work holds no lock
				}
				lw.looping = append(lw.looping, h) // the goroutine was started in the method
			} else {
				lw.called = append(lw.called, h)
			}
		}
	}
	var raised []*Group
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		lw := byType[t]
		holders := lw.called
		if len(holders) == 0 {
			holders = lw.looping
		}
		if len(holders) == 0 || len(holders) > maxHolders {
			continue
		}
		h, w := holders[0], lw.most
		waiters := fmt.Sprintf("%d goroutines wait", lw.n)
		if lw.n == 1 {
			waiters = "1 goroutine waits"
		}
		where := display.ShortFunc(w.Site.Func)
		if w.Site.File != "" {
			where = fmt.Sprintf("%s %s:%d", where, path.Base(w.Site.File), w.Site.Line)
		}
		if m := w.Counts[len(w.Counts)-1]; m < lw.n {
			where = fmt.Sprintf(" (%d at %s)", m, where)
		} else {
			where = " at " + where
		}
		long := ""
		if lw.wait > 0 {
			long = fmt.Sprintf(", for at least as long (%d minutes)", lw.wait)
		}
		blocked := "blocked" // a profile prints no state
		if h.State != "" {
			blocked = fmt.Sprintf("blocked (%s)", h.State)
		}
		h.Evidence = append(h.Evidence, fmt.Sprintf("may hold the lock that %s for%s: it is inside %s, %s%s", waiters, where, display.ShortFunc(t), blocked, long))
		if h.Verdict == OK {
			h.Verdict = Suspect
			raised = append(raised, h)
		}
		h.Suspicion = max(h.Suspicion, lw.score+1)
	}
	return raised
}
