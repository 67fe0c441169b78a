package watch

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/report"
)

// The bounds of a watch. Whatever the length of the watch, a target costs
// its baseline snapshot, its latest snapshot while it is compared (each cut
// to the MaxTracked largest groups), and a window of K+1 counts for at
// most MaxTracked groups.
const (
	defaultRises = 3 // K: a group that rose at K fetches out of the last 2K, never falling, is a leak
	// MaxTracked is how many groups a watch follows per target: the
	// largest are kept.
	MaxTracked = 10000
)

// sample is what the window needs of one group of the latest snapshot, as
// classify.Compare(baseline, latest) described it.
type sample struct {
	id      string // classify.Group.ID: a hash of the stack, the same in every process
	count   int
	verdict classify.Verdict
	class   classify.Class
	leaked  int   // goroutines marked (leaked) by the goroutineleak profile
	fresh   bool  // has goroutines that are new since the baseline
	maxGID  int64 // highest goroutine ID of the group; 0 when the format has none
	minWait int   // shortest wait of the group, in minutes
}

// change is an event about one group, found by [window.step].
type change struct {
	id   string
	kind Kind
	why  string
	saw  classify.Sighting // of a Leak: what classify judged a leak
}

// track follows one group: its counts over the window and what was said.
type track struct {
	counts []int // ring of K+1 counts; the slot of a step is step % (K+1)
	// rises are the steps of the last K rises since the group last fell,
	// oldest first: a slow leak rises at some fetches and stays flat at
	// others, and only a fall breaks the streak.
	rises   []int
	growing bool // Growing said for the current streak
	over    bool // at or over the threshold, Threshold said
	leak    bool // Leak said
}

// window applies the leak rules of a watch to the successive snapshots of
// one target, keeping only counts: K+1 per group (the last K rises), the
// highest goroutine ID of each of the last K+1 snapshots, and a few flags.
// Its memory depends on K and on the number of groups (at most limit),
// never on the number of steps.
type window struct {
	k, threshold, limit int
	steps               int
	maxIDs              []int64 // ring: highest goroutine ID of each snapshot
	tracks              map[string]*track
	// dropped is the most groups left untracked in one step (over limit).
	dropped int
}

func newWindow(k, threshold, limit int) *window {
	return &window{k: k, threshold: threshold, limit: limit, maxIDs: make([]int64, k+1), tracks: map[string]*track{}}
}

func (w *window) slot(step int) int { return step % (w.k + 1) }

// step takes the groups of the next snapshot and its highest goroutine ID
// and returns the events they raise, in the order of samples.
func (w *window) step(samples []sample, maxID int64) []change {
	if len(samples) > w.limit {
		// Follow the largest groups: a leak is a group that gets large.
		samples = slices.Clone(samples)
		slices.SortFunc(samples, func(a, b sample) int {
			if c := cmp.Compare(b.count, a.count); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		w.dropped = max(w.dropped, len(samples)-w.limit)
		samples = samples[:w.limit]
	}
	now, prev := w.slot(w.steps), w.slot(w.steps+w.k)
	w.maxIDs[now] = maxID
	var out []change
	seen := make(map[string]bool, len(samples))
	for _, s := range samples {
		seen[s.id] = true
		t := w.tracks[s.id]
		if t == nil {
			t = &track{counts: make([]int, w.k+1)}
			w.tracks[s.id] = t
		}
		t.counts[now] = s.count
		switch {
		case w.steps == 0:
		case s.count > t.counts[prev]:
			if len(t.rises) == w.k {
				t.rises = t.rises[1:]
			}
			t.rises = append(t.rises, w.steps)
		case s.count < t.counts[prev]:
			t.rises, t.growing = t.rises[:0], false
		}
		if w.threshold > 0 && s.count < w.threshold {
			t.over = false
		}
		if s.verdict == classify.OK {
			continue // benign, ignored, or following its cause: nothing to say
		}
		if n := min(2, w.k); w.streak(t, n) && !t.growing {
			t.growing = true
			out = append(out, change{id: s.id, kind: Growing, why: w.risesText(t, n)})
		}
		if w.threshold > 0 && s.count >= w.threshold && !t.over {
			t.over = true
			out = append(out, change{id: s.id, kind: Threshold, why: fmt.Sprintf("%d goroutines at one site (--threshold %d)", s.count, w.threshold)})
		}
		if t.leak {
			continue
		}
		if saw, why := w.leakRule(s, t); saw != 0 {
			t.leak = true
			out = append(out, change{id: s.id, kind: Leak, why: why, saw: saw})
		}
	}
	for id, t := range w.tracks {
		if seen[id] {
			continue
		}
		t.counts[now], t.rises, t.growing, t.over = 0, t.rises[:0], false, false
		if !slices.ContainsFunc(t.counts, func(n int) bool { return n != 0 }) {
			delete(w.tracks, id) // gone for the whole window
		}
	}
	w.steps++
	return out
}

// leakRule returns the first of the window's rules that the group meets
// and that classify judges a leak for the group's class and verdict, and
// why in words; 0 and "" when none is.
func (w *window) leakRule(s sample, t *track) (classify.Sighting, string) {
	switch {
	case s.leaked > 0 && s.leakIf(classify.SawProven):
		return classify.SawProven, fmt.Sprintf("gc-proven (leaked): %d of %d", s.leaked, s.count)
	case w.streak(t, w.k) && s.leakIf(classify.SawRising):
		return classify.SawRising, w.risesText(t, w.k)
	case t.over && s.leakIf(classify.SawCrowd):
		return classify.SawCrowd, fmt.Sprintf("%d goroutines blocked at one site (--threshold %d)", s.count, w.threshold)
	case s.fresh && w.steps >= w.k && s.maxGID > 0 && s.maxGID <= w.maxIDs[w.slot(w.steps+1)] && s.minWait >= 1 && s.leakIf(classify.SawStuck):
		// Goroutine IDs only grow within a process: every goroutine of
		// the group existed K fetches ago, none has ended since, and the
		// runtime has seen each blocked for a minute or more.
		return classify.SawStuck, fmt.Sprintf("%s new since the start, none ended over the last %s, blocked %d+ minutes", report.Plural(s.count, "goroutine"), report.Plural(w.k, "fetch"), s.minWait)
	}
	return 0, ""
}

// leakIf reports whether classify judges the group a leak if the watch saw
// it do what saw says.
func (s *sample) leakIf(saw classify.Sighting) bool {
	return classify.WatchVerdict(s.verdict, s.class, saw) == classify.Leak
}

// streak reports whether the group rose at n fetches (n ≤ K) of the last
// 2K, counting the current step, without falling since.
func (w *window) streak(t *track, n int) bool {
	return len(t.rises) >= n && w.steps-t.rises[len(t.rises)-n] < 2*w.k
}

// risesText says how the group rose for its last n rises.
func (w *window) risesText(t *track, n int) string {
	span := w.steps - t.rises[len(t.rises)-n] + 1
	if span == n {
		return "rose at each of the last " + report.Plural(n, "fetch") + ": " + w.trendText(t)
	}
	return fmt.Sprintf("rose at %d of the last %s, never falling: %s", n, report.Plural(span, "fetch"), w.trendText(t))
}

// trend returns a group's counts over the window, oldest first: up to K+1
// numbers, fewer at the start of the watch.
func (w *window) trend(id string) []int {
	t := w.tracks[id]
	if t == nil {
		return nil
	}
	n := min(w.steps, w.k+1)
	out := make([]int, 0, n)
	for i := w.steps - n; i < w.steps; i++ {
		out = append(out, t.counts[w.slot(i)])
	}
	return out
}

// trendText is the trend of t, during a step (the current slot filled).
func (w *window) trendText(t *track) string {
	n := min(w.steps+1, w.k+1)
	counts := make([]int, 0, n)
	for i := w.steps + 1 - n; i <= w.steps; i++ {
		counts = append(counts, t.counts[w.slot(i)])
	}
	return display.JoinCounts(counts)
}

// grows reports whether the group has more goroutines now than at the
// start of the window.
func (w *window) grows(id string) bool {
	tr := w.trend(id)
	return len(tr) >= 2 && tr[len(tr)-1] > tr[0]
}
