package capture

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/parse"
)

func TestTakeExcludesCaller(t *testing.T) {
	l := StartLeaks(3)
	defer l.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	s, err := Take()
	if err != nil {
		t.Fatal(err)
	}
	self := goid()
	if self == 0 {
		t.Fatal("goid found no goroutine ID")
	}
	for _, g := range s.Groups {
		if slices.Contains(g.IDs(), self) {
			t.Errorf("Take kept the caller, goroutine %d, in group %q", self, g.Key)
		}
		if g.Count != len(g.Members) || g.Count == 0 {
			t.Errorf("group %q: Count %d, %d members", g.Key, g.Count, len(g.Members))
		}
		for _, f := range g.Frames {
			if strings.HasSuffix(f.Func, ".TestTakeExcludesCaller") {
				t.Errorf("group %q holds this test's own stack", g.Key)
			}
		}
	}
	if n := countFunc(s, BlockSendFunc); n != 3 {
		t.Errorf("Take shows %d blocked senders, want 3", n)
	}
	checkOrder(t, s)
}

// Goroutines that take snapshots at once each leave out themselves only
// (and race nothing: the test runs under -race).
func TestTakeConcurrent(t *testing.T) {
	const n = 4
	start, release := make(chan struct{}), make(chan struct{})
	type result struct {
		self int64
		s    *parse.Snapshot
		err  error
	}
	results := make(chan result, n)
	for range n {
		go func() {
			<-start
			s, err := Take()
			results <- result{goid(), s, err}
			<-release
		}()
	}
	close(start)
	defer close(release)
	for range n {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		for _, g := range r.s.Groups {
			if slices.Contains(g.IDs(), r.self) {
				t.Errorf("goroutine %d found itself in its snapshot", r.self)
			}
		}
		checkOrder(t, r.s)
	}
}

// A dump of our own that does not parse is reported as stackdiff's bug,
// not as a panic in the user's program.
func TestTakeParseFailureIsAnError(t *testing.T) {
	defer func(f func(int) ([]byte, bool)) { dumpStacks = f }(dumpStacks)
	dumpStacks = func(int) ([]byte, bool) { return []byte("no goroutines here\n"), false }
	s, err := Take()
	if s != nil || err == nil || !strings.Contains(err.Error(), "bug in stackdiff") {
		t.Fatalf("Take of an unparsable dump = %v, %v; want an error calling it a bug", s, err)
	}
	if !errors.Is(err, parse.ErrNoDump) {
		t.Errorf("error %v does not wrap parse's", err)
	}
	var ft fakeT
	VerifyNone(&ft, short)
	if len(ft.errs) != 1 || !strings.Contains(ft.errs[0], "bug in stackdiff") {
		t.Errorf("VerifyNone reported %q, want the parse failure", ft.errs)
	}
}

func TestDropIDs(t *testing.T) {
	members := func(ids ...int64) []parse.Member {
		var ms []parse.Member
		for _, id := range ids {
			ms = append(ms, parse.Member{ID: id})
		}
		return ms
	}
	s := &parse.Snapshot{Groups: []*parse.Group{
		{Key: "b", Count: 3, Members: members(1, 2, 3)},
		{Key: "a", Count: 2, Members: members(4, 5)},
		{Key: "c", Count: 1, Members: members(6)},
	}}
	dropIDs(s, func(id int64) bool { return id == 2 || id == 6 })
	var got []string
	for _, g := range s.Groups {
		got = append(got, g.Key)
		if g.Count != len(g.Members) {
			t.Errorf("group %s: Count %d, %d members", g.Key, g.Count, len(g.Members))
		}
	}
	// "b" fell to 2 and now sorts after "a" by key; "c" emptied and went.
	if want := []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("groups after drop = %v, want %v", got, want)
	}
	if ids := s.Groups[1].IDs(); !slices.Equal(ids, []int64{1, 3}) {
		t.Errorf("group b IDs = %v, want [1 3]", ids)
	}
}

func TestSettleWaitsForSpinner(t *testing.T) {
	var parked atomic.Bool
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Spin (running, never parked) for a while, then park.
		for start := time.Now(); time.Since(start) < 30*time.Millisecond; {
		}
		parked.Store(true)
		<-release
	}()
	defer func() { close(release); <-done }()

	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !parked.Load() {
		t.Fatal("Settle returned while the goroutine was still spinning")
	}
	s, err := Take()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range s.Groups {
		if busy(&parse.Snapshot{Groups: []*parse.Group{g}}) > 0 {
			t.Errorf("after Settle, %d goroutines in state %q", g.Count, g.State)
		}
	}
}

func TestSettleGivesUpWithContext(t *testing.T) {
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
		}
	}()
	defer func() { stop.Store(true); <-done }()

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Settle(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("Settle with a spinner = %v, want a deadline error saying what still runs", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Settle took %v past a 50ms deadline", d)
	}
}

// checkOrder checks parse's group order: Count descending, then Key.
func checkOrder(t *testing.T, s *parse.Snapshot) {
	t.Helper()
	for i := 1; i < len(s.Groups); i++ {
		a, b := s.Groups[i-1], s.Groups[i]
		if a.Count < b.Count || a.Count == b.Count && a.Key > b.Key {
			t.Errorf("groups %d and %d out of order: (%d, %q) before (%d, %q)", i-1, i, a.Count, a.Key, b.Count, b.Key)
		}
	}
}
