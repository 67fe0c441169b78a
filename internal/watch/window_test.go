package watch

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stackdiff/stackdiff/classify"
)

// blocked is a sample of a blocking group that Compare calls a leak (new
// since the baseline).
func blocked(id string, count int) sample {
	return sample{id: id, count: count, verdict: classify.Leak, class: classify.Blocking, fresh: true}
}

// unknown is a sample of a group of a custom label of Unknown class, new
// since the baseline: a suspect for Compare.
func unknown(id string, count int) sample {
	return sample{id: id, count: count, verdict: classify.Suspect, class: classify.Unknown, fresh: true}
}

func TestWindowRules(t *testing.T) {
	type step struct {
		samples []sample
		maxID   int64
	}
	steps := func(ss ...[]sample) []step {
		var out []step
		for _, s := range ss {
			out = append(out, step{samples: s})
		}
		return out
	}
	tests := []struct {
		name      string
		threshold int
		steps     []step
		want      [][]change // per step
	}{
		{
			name:  "grows over K",
			steps: steps([]sample{blocked("a", 1)}, []sample{blocked("a", 2)}, []sample{blocked("a", 3)}, []sample{blocked("a", 4)}, []sample{blocked("a", 5)}),
			want: [][]change{nil, nil,
				{{id: "a", kind: Growing, why: "rose at each of the last 2 fetches: 1 → 2 → 3"}},
				{{id: "a", kind: Leak, why: "rose at each of the last 3 fetches: 1 → 2 → 3 → 4", saw: classify.SawRising}},
				nil, // said once
			},
		},
		{
			// A slow leak rises at some fetches and stays flat at others.
			name:  "a pause does not end the streak",
			steps: steps([]sample{blocked("a", 1)}, []sample{blocked("a", 2)}, []sample{blocked("a", 2)}, []sample{blocked("a", 3)}, []sample{blocked("a", 4)}, []sample{blocked("a", 4)}),
			want: [][]change{nil, nil, nil,
				{{id: "a", kind: Growing, why: "rose at 2 of the last 3 fetches, never falling: 1 → 2 → 2 → 3"}},
				{{id: "a", kind: Leak, why: "rose at 3 of the last 4 fetches, never falling: 2 → 2 → 3 → 4", saw: classify.SawRising}},
				nil,
			},
		},
		{
			name:  "a fall ends the streak",
			steps: steps([]sample{blocked("a", 1)}, []sample{blocked("a", 2)}, []sample{blocked("a", 3)}, []sample{blocked("a", 2)}, []sample{blocked("a", 3)}, []sample{blocked("a", 4)}),
			want: [][]change{nil, nil,
				{{id: "a", kind: Growing, why: "rose at each of the last 2 fetches: 1 → 2 → 3"}},
				nil, nil,
				{{id: "a", kind: Growing, why: "rose at each of the last 2 fetches: 3 → 2 → 3 → 4"}},
			},
		},
		{
			// Rises spread wider than 2K fetches are not a streak: a pool
			// that opens a connection now and then is not a leak.
			name: "rises far apart are not a leak",
			steps: steps([]sample{blocked("a", 1)}, []sample{blocked("a", 2)}, []sample{blocked("a", 2)}, []sample{blocked("a", 2)},
				[]sample{blocked("a", 2)}, []sample{blocked("a", 2)}, []sample{blocked("a", 2)}, []sample{blocked("a", 3)}, []sample{blocked("a", 3)},
				[]sample{blocked("a", 3)}, []sample{blocked("a", 3)}, []sample{blocked("a", 3)}, []sample{blocked("a", 3)}, []sample{blocked("a", 4)}),
			want: [][]change{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
		},
		{
			name:  "ok groups say nothing",
			steps: steps([]sample{{id: "r", count: 1, verdict: classify.OK, class: classify.Benign}}, []sample{{id: "r", count: 2, verdict: classify.OK}}, []sample{{id: "r", count: 3, verdict: classify.OK}}, []sample{{id: "r", count: 4, verdict: classify.OK}}),
			want:  [][]change{nil, nil, nil, nil},
		},
		{
			name:      "threshold crossed by a blocking group is a leak",
			threshold: 10,
			steps:     steps([]sample{blocked("a", 5)}, []sample{blocked("a", 12)}, []sample{blocked("a", 9)}, []sample{blocked("a", 10)}),
			want: [][]change{nil,
				{{id: "a", kind: Threshold, why: "12 goroutines at one site (--threshold 10)"}, {id: "a", kind: Leak, why: "12 goroutines blocked at one site (--threshold 10)", saw: classify.SawCrowd}},
				nil,
				{{id: "a", kind: Threshold, why: "10 goroutines at one site (--threshold 10)"}}, // crossed again; the leak was said
			},
		},
		{
			name:      "threshold on a doubtful group is not a leak",
			threshold: 10,
			steps:     steps([]sample{{id: "c", count: 20, verdict: classify.Suspect, class: classify.Doubtful}}),
			want:      [][]change{{{id: "c", kind: Threshold, why: "20 goroutines at one site (--threshold 10)"}}},
		},
		{
			// classify judges: a label of Unknown class that keeps rising
			// is growing, never a leak by what it did.
			name:  "unknown class rises without a leak",
			steps: steps([]sample{unknown("u", 1)}, []sample{unknown("u", 2)}, []sample{unknown("u", 3)}, []sample{unknown("u", 4)}),
			want: [][]change{nil, nil,
				{{id: "u", kind: Growing, why: "rose at each of the last 2 fetches: 1 → 2 → 3"}},
				nil,
			},
		},
		{
			// Ignored: ok for Compare, so for the watch too, proof or not.
			name: "an ignored group says nothing",
			steps: steps([]sample{{id: "i", count: 3, leaked: 3, verdict: classify.OK, class: classify.Blocking}},
				[]sample{{id: "i", count: 4, leaked: 4, verdict: classify.OK, class: classify.Blocking}}),
			want: [][]change{nil, nil},
		},
		{
			name: "gc-proven",
			steps: steps([]sample{{id: "l", count: 3, leaked: 3, verdict: classify.Leak, class: classify.Blocking}},
				[]sample{{id: "l", count: 3, leaked: 3, verdict: classify.Leak, class: classify.Blocking}}),
			want: [][]change{{{id: "l", kind: Leak, why: "gc-proven (leaked): 3 of 3", saw: classify.SawProven}}, nil},
		},
		{
			name: "new goroutines that outlive the window, blocked minutes",
			steps: []step{
				{samples: []sample{}, maxID: 100},
				{samples: []sample{{id: "s", count: 2, verdict: classify.Leak, class: classify.Blocking, fresh: true, maxGID: 120}}, maxID: 130},
				{samples: []sample{{id: "s", count: 2, verdict: classify.Leak, class: classify.Blocking, fresh: true, maxGID: 120}}, maxID: 140},
				{samples: []sample{{id: "s", count: 2, verdict: classify.Leak, class: classify.Blocking, fresh: true, maxGID: 120}}, maxID: 150},
				// K fetches after the one with ID 130, but not yet blocked a minute.
				{samples: []sample{{id: "s", count: 2, verdict: classify.Leak, class: classify.Blocking, fresh: true, maxGID: 120}}, maxID: 160},
				{samples: []sample{{id: "s", count: 2, verdict: classify.Leak, class: classify.Blocking, fresh: true, maxGID: 120, minWait: 1}}, maxID: 170},
			},
			want: [][]change{nil, nil, nil, nil, nil, {{id: "s", kind: Leak, why: "2 goroutines new since the start, none ended over the last 3 fetches, blocked 1+ minutes", saw: classify.SawStuck}}},
		},
		{
			name: "a goroutine younger than the window is not stuck",
			steps: []step{
				{samples: []sample{}, maxID: 100},
				{samples: []sample{}, maxID: 130},
				{samples: []sample{}, maxID: 140},
				{samples: []sample{}, maxID: 150},
				{samples: []sample{{id: "s", count: 1, verdict: classify.Leak, class: classify.Blocking, fresh: true, maxGID: 141, minWait: 5}}, maxID: 160},
			},
			want: [][]change{nil, nil, nil, nil, nil},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWindow(3, tc.threshold, 100)
			var got [][]change
			for _, s := range tc.steps {
				got = append(got, w.step(s.samples, s.maxID))
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(change{})); diff != "" {
				t.Errorf("events per step (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWindowTrendAndGrows(t *testing.T) {
	w := newWindow(3, 0, 100)
	for _, n := range []int{4, 1, 2, 3, 5, 8} {
		w.step([]sample{blocked("a", n), blocked("b", 9-n)}, 0)
	}
	got := []any{w.trend("a"), w.grows("a"), w.trend("b"), w.grows("b"), w.trend("gone")}
	want := []any{[]int{2, 3, 5, 8}, true, []int{7, 6, 4, 1}, false, []int(nil)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trend (-want +got):\n%s", diff)
	}
}

func TestWindowForgetsGroupsGoneForTheWindow(t *testing.T) {
	w := newWindow(3, 0, 100)
	w.step([]sample{blocked("a", 1), blocked("b", 1)}, 0)
	var tracked []int
	for range 5 {
		w.step([]sample{blocked("a", 1)}, 0)
		tracked = append(tracked, len(w.tracks))
	}
	// b has a count in the window for 3 more fetches, then is forgotten.
	if diff := cmp.Diff([]int{2, 2, 2, 1, 1}, tracked); diff != "" {
		t.Errorf("tracked groups per step (-want +got):\n%s", diff)
	}
}

func TestWindowTracksAtMostLimit(t *testing.T) {
	w := newWindow(3, 0, 10)
	var samples []sample
	for i := range 25 {
		samples = append(samples, blocked(fmt.Sprintf("g%02d", i), i+1))
	}
	w.step(samples, 0)
	if len(w.tracks) != 10 || w.dropped != 15 {
		t.Fatalf("tracking %d groups (dropped %d), want 10 (15)", len(w.tracks), w.dropped)
	}
	for i := 15; i < 25; i++ { // the largest
		if w.tracks[fmt.Sprintf("g%02d", i)] == nil {
			t.Errorf("g%02d (count %d) not tracked", i, i+1)
		}
	}
}

// churn is step i of a long synthetic watch: 50 steady groups, 20 short-
// lived ones whose IDs never come back, and one that grows.
func churn(i int) []sample {
	s := make([]sample, 0, 71)
	for j := range 50 {
		s = append(s, sample{id: fmt.Sprintf("steady%d", j), count: 3 + (i+j)%5, verdict: classify.Suspect, class: classify.Doubtful})
	}
	for j := range 20 {
		s = append(s, blocked(fmt.Sprintf("short%d-%d", i, j), 1))
	}
	return append(s, blocked("grows", i+1))
}

// TestWindowMemoryIsFlat runs 10,000 steps through a window: what it keeps
// (groups tracked, heap) is the same after 1,000 steps and after 10,000.
func TestWindowMemoryIsFlat(t *testing.T) {
	w := newWindow(defaultRises, 1000, MaxTracked)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var tracked []int
	var at1k uint64
	for i := range 10000 {
		w.step(churn(i), int64(i*100))
		if i == 999 {
			at1k = heap()
		}
		if i%1000 == 999 {
			tracked = append(tracked, len(w.tracks))
		}
	}
	at10k := heap()
	// 50 steady, 1 growing, and the short-lived groups of the last K+1 steps.
	want := make([]int, 10)
	for i := range want {
		want[i] = 50 + 1 + 20*(defaultRises+1)
	}
	if diff := cmp.Diff(want, tracked); diff != "" {
		t.Errorf("groups tracked every 1000 steps (-want +got):\n%s", diff)
	}
	if at10k > at1k+256<<10 {
		t.Errorf("heap grew from %d KiB after 1,000 steps to %d KiB after 10,000", at1k>>10, at10k>>10)
	}
	t.Logf("heap after 1,000 steps %d KiB, after 10,000 %d KiB", at1k>>10, at10k>>10)
}

func BenchmarkWindowStep(b *testing.B) {
	w := newWindow(defaultRises, 1000, MaxTracked)
	steps := make([][]sample, 64)
	for i := range steps {
		steps[i] = churn(i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.step(steps[i%len(steps)], int64(i))
	}
}
