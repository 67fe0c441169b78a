package capture_test

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/summarytest"
	"go.uber.org/goleak"
)

func TestDiffFindsChanSendLeak(t *testing.T) {
	const n = 5
	var l *capture.Leaker
	rep, err := capture.Diff(t.Context(), func() { l = capture.StartLeaks(n) })
	defer l.Release()
	if err != nil {
		t.Fatal(err)
	}
	if names := []string{rep.Inputs[0].Name, rep.Inputs[1].Name}; !slices.Equal(names, []string{"before", "after"}) {
		t.Errorf("snapshot names = %v, want [before after]", names)
	}
	if err := summarytest.Check(rep); err != nil {
		t.Error(err)
	}
	leaks := rep.Leaks()
	if len(leaks) != 1 {
		t.Fatalf("%d leak groups, want 1: %+v", len(leaks), leaks)
	}
	g := leaks[0]
	if g.Label != classify.ChanSend || g.New != n || len(g.NewIDs) != n || g.State != "chan send" {
		t.Errorf("leak group: label %s, state %q, New %d, NewIDs %v; want chan-send, \"chan send\", %d new", g.Label, g.State, g.New, g.NewIDs, n)
	}
	if g.CreatedBy == nil || g.CreatedBy.Func != capture.StartLeaksFn {
		t.Errorf("leak group created by %+v, want %s", g.CreatedBy, capture.StartLeaksFn)
	}
}

func TestDiffNoLeakWhenGoroutinesFinish(t *testing.T) {
	rep, err := capture.Diff(t.Context(), func() {
		results := make(chan int, 5)
		for i := range 5 {
			go func() { results <- i * i }()
		}
		for range 5 {
			<-results
		}
		// The goroutines may still be on their way out here: Diff's
		// settle waits for them.
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range rep.Groups {
		if g.Verdict != classify.OK || g.New != 0 {
			t.Errorf("group %s: verdict %s, %d new; want ok, 0 new (%v)", g.Label, g.Verdict, g.New, g.Evidence)
		}
	}
}

// stackdiff and goleak, asked at the same moment about the same
// goroutines, name the same ones.
func TestDiffAgreesWithGoleak(t *testing.T) {
	current := goleak.IgnoreCurrent()
	var l *capture.Leaker
	rep, err := capture.Diff(t.Context(), func() { l = capture.StartLeaks(4) })
	defer l.Release()
	if err != nil {
		t.Fatal(err)
	}
	found := goleak.Find(current)
	if found == nil {
		t.Fatal("goleak found no leak")
	}
	goleakIDs := map[int64]bool{}
	for _, m := range regexp.MustCompile(`Goroutine (\d+) in state`).FindAllStringSubmatch(found.Error(), -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		goleakIDs[id] = true
	}
	ours := map[int64]bool{}
	for _, g := range rep.Leaks() {
		for _, id := range g.NewIDs {
			ours[id] = true
		}
	}
	if len(ours) != 4 || !maps.Equal(ours, goleakIDs) {
		t.Errorf("stackdiff's leaked IDs %v, goleak's %v; want the same 4", slices.Sorted(maps.Keys(ours)), slices.Sorted(maps.Keys(goleakIDs)))
	}
}

func TestDiffIgnoreOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  capture.Option
	}{
		{"top", capture.IgnoreTopFunction(capture.BlockSendFunc)},
		{"any", capture.IgnoreAnyFunction(capture.BlockSendFunc)},
		{"creator", capture.IgnoreCreatedBy(capture.StartLeaksFn)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l *capture.Leaker
			rep, err := capture.Diff(t.Context(), func() { l = capture.StartLeaks(2) }, tc.opt)
			defer l.Release()
			if err != nil {
				t.Fatal(err)
			}
			if leaks := rep.Leaks(); len(leaks) != 0 {
				t.Fatalf("ignored goroutines reported as %d leak groups", len(leaks))
			}
			for _, g := range rep.Groups {
				if g.New == 2 && !strings.HasPrefix(strings.Join(g.Evidence, ";"), "ignored:") {
					t.Errorf("new group without ignore evidence: %v", g.Evidence)
				}
			}
		})
	}
	t.Run("current", func(t *testing.T) {
		l := capture.StartLeaks(2)
		defer l.Release()
		current := capture.IgnoreCurrent()
		var l2 *capture.Leaker
		rep, err := capture.Diff(t.Context(), func() { l2 = capture.StartLeaks(3) }, current)
		defer l2.Release()
		if err != nil {
			t.Fatal(err)
		}
		// The 2 present at IgnoreCurrent are gone from both snapshots; the
		// 3 started later are the leak.
		leaks := rep.Leaks()
		if len(leaks) != 1 || leaks[0].New != 3 || leaks[0].Counts[1] != 3 {
			t.Fatalf("leaks = %+v, want one group of 3 new", leaks)
		}
	})
}

func TestDiffContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	_, err := capture.Diff(ctx, func() { ran = true })
	if err == nil || ran {
		t.Fatalf("Diff with a cancelled context: err %v, fn ran %v; want an error and fn not run", err, ran)
	}
}

// A goroutine that never parks does not hang Diff: after MaxWait the
// snapshot is taken anyway, and says it did not settle.
func TestDiffMaxWait(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	defer func() { close(stop); <-done }()
	start := time.Now()
	rep, err := capture.Diff(t.Context(), func() {
		go func() {
			defer close(done)
			for { // spins on purpose: a goroutine that never settles
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}, capture.MaxWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Diff took %v with MaxWait 50ms", d)
	}
	if w := rep.Inputs[1].Warnings; len(w) != 1 || !strings.Contains(w[0], "did not settle") {
		t.Errorf("after warnings = %q, want one saying it did not settle", w)
	}
}
