package classify_test

import (
	"bytes"
	"fmt"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// ledger is a type whose lock a method keeps while it is stuck sending.
type ledger struct {
	mu      sync.Mutex
	n       int
	updates chan int
	stop    chan struct{}
}

func (l *ledger) add() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	l.updates <- l.n // nobody receives until the test ends: the lock stays held
}

func (l *ledger) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n = 0
}

func (l *ledger) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// tick is an idle loop of the same type: it does not hold the lock.
func (l *ledger) tick() {
	for {
		select {
		case <-l.stop:
			return
		case <-time.After(time.Hour):
		}
	}
}

// await takes dumps of the test process until ready says the goroutines
// are in place.
func await(t *testing.T, ready func(*classify.Report) bool) *classify.Report {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := classify.Compare([]*parse.Snapshot{stacks(t)}, nil)
		if ready(r) || time.Now().After(deadline) {
			return r
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func byFunc(r *classify.Report, fn string) *classify.Group {
	for _, g := range r.Groups {
		if g.Site != nil && strings.HasSuffix(g.Site.Func, fn) {
			return g
		}
	}
	return nil
}

// TestLockHolder: a dozen goroutines wait for a lock that a goroutine of
// the same type keeps while it is blocked sending; three more wait for it
// from another method. The sender is named as
// the likely holder and read first; the waiters stay suspects.
func TestLockHolder(t *testing.T) {
	awake(t)
	l := &ledger{updates: make(chan int), stop: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(l.tick)
	wg.Go(func() { l.add() }) // as a request handler calls it
	for l.mu.TryLock() {      // until add holds it
		l.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	for range 12 {
		wg.Go(func() { l.total() })
	}
	for range 3 {
		wg.Go(func() { l.reset() }) // more waiters, from another method
	}
	defer func() { close(l.stop); <-l.updates; wg.Wait() }()

	r := await(t, func(r *classify.Report) bool {
		w := byFunc(r, "(*ledger).total")
		more := byFunc(r, "(*ledger).reset")
		return w != nil && w.Counts[0] == 12 && more != nil && more.Counts[0] == 3 && byFunc(r, "(*ledger).add") != nil
	})
	holder, waiters := byFunc(r, "(*ledger).add"), byFunc(r, "(*ledger).total")
	if holder == nil || waiters == nil {
		t.Fatal("holder or waiters not in the dump")
	}
	if waiters.Verdict != classify.Suspect {
		t.Errorf("waiters %s, want suspect", waiters.Verdict)
	}
	says := strings.Join(holder.Evidence, "; ")
	if holder.Verdict != classify.Suspect || !strings.Contains(says, "may hold the lock that 12 goroutines wait for at ") {
		t.Errorf("holder %s, evidence %q; want suspect, holding the lock", holder.Verdict, says)
	}
	if strings.Contains(says, "has returned") {
		t.Errorf("holder evidence %q: sync.WaitGroup.Go always returns; its caller still runs", says)
	}
	if i, j := slices.Index(r.Groups, holder), slices.Index(r.Groups, waiters); i > j {
		t.Errorf("holder ranked %d, after the waiters (%d)", i+1, j+1)
	}
	if tick := byFunc(r, "(*ledger).tick"); tick == nil || tick.Verdict != classify.OK {
		t.Errorf("the idle loop of the same type: %+v, want ok", tick)
	}

	// The goroutine profile of the same moment prints no states: the
	// holder is named all the same, without an empty "()" for its state.
	var pb bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&pb, 0); err != nil {
		t.Fatal(err)
	}
	s, err := parse.Read(&pb, "profile")
	if err != nil {
		t.Fatal(err)
	}
	holder = byFunc(classify.Compare([]*parse.Snapshot{s}, nil), "(*ledger).add")
	if holder == nil {
		t.Fatal("holder not in the profile")
	}
	says = strings.Join(holder.Evidence, "; ")
	if !strings.Contains(says, "may hold the lock that 12 goroutines wait for at ") || strings.Contains(says, "()") {
		t.Errorf("holder in a profile: evidence %q; want the lock, and no empty state", says)
	}
}

func TestReceiverType(t *testing.T) {
	for fn, want := range map[string]string{
		"example.com/app.(*Store).Get":       "example.com/app.(*Store)",
		"example.com/app.(*Store).Get.func1": "example.com/app.(*Store)",
		"example.com/app.(*Cache[...]).Put":  "example.com/app.(*Cache[...])",
		"main.(*pipeline).audit":             "main.(*pipeline)",
		"example.com/app.Store.Get":          "",
		"example.com/app.handle":             "",
		"example.com/a.b/c.(*T).M":           "example.com/a.b/c.(*T)",
		"github.com/x/y.(*T).M.(*T).N":       "github.com/x/y.(*T)",
	} {
		if got := classify.ReceiverType(fn); got != want {
			t.Errorf("ReceiverType(%q) = %q, want %q", fn, got, want)
		}
	}
}

// TestIdleLoopHoldsNoLock: the only other goroutine in a method of the
// waiters' type is its own event loop, idle in a select: it is no holder,
// and nothing is said.
func TestIdleLoopHoldsNoLock(t *testing.T) {
	var specs []g
	for i := range 12 {
		specs = append(specs, g{1, "sync.Mutex.Lock", []string{"sync.(*Mutex).Lock sync/mutex.go:46", "example.com/app.(*Svc).Inc app/svc.go:17", fmt.Sprintf("example.com/app.caller%d app/c.go:%d", i, i+1)}, "example.com/app.main app/main.go:43"})
	}
	specs = append(specs,
		g{1, "select", []string{"example.com/app.(*Svc).run app/svc.go:25"}, "example.com/app.main app/main.go:40"},
		listening)
	r := classify.Compare([]*parse.Snapshot{dump(t, "svc", 1, specs...)}, nil)
	for _, grp := range r.Groups {
		if strings.Contains(strings.Join(grp.Evidence, ";"), "may hold the lock") {
			t.Errorf("%s is named the holder", grp.Site.Func)
		}
	}
}
