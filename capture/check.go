package capture

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/internal/lineage"
	"github.com/stackdiff/stackdiff/parse"
)

// Check makes test t answer for exactly the goroutines it starts. Call it
// first in a test or subtest, on the test's goroutine:
//
//	func TestFetch(t *testing.T) {
//		capture.Check(t)
//		t.Parallel()
//		...
//	}
//
// It sets the pprof label [TestLabel] on the test's goroutine, naming this
// run of the test (the name and a counter, so that each -count iteration is
// its own run). Goroutines inherit their creator's labels, so every
// goroutine the test starts, and every goroutine those start, carries it,
// even after the goroutine in between has exited, beside parallel tests and
// subtests, without GODEBUG. A subtest that calls Check answers for its own
// goroutines; the goroutines of one that does not are its parent's.
//
// When the test ends (in a t.Cleanup, after its subtests) Check judges the
// goroutines that carry its label and fails the test for those that stay,
// naming the test, each group's stack and what it waits on:
//
//   - where the runtime has the goroutineleak profile (Go 1.27; Go 1.26
//     built with GOEXPERIMENT=goroutineleakprofile), it writes the profile,
//     which runs one extra GC cycle that proves goroutines blocked on
//     something no running goroutine can reach; a proven leak fails at
//     once;
//   - the others (and all of them on a runtime without the profile) are
//     given up to [MaxWait] to finish, and fail if they stay, as
//     [VerifyNone] judges them. The GC cannot prove a goroutine blocked on
//     something reachable from a global variable; the wait catches it.
//
// The labels are read from the traceback header where the runtime prints
// them, and otherwise from the goroutine profile's debug=1 records, which
// carry labels on every Go version. The test goroutine's previous labels are
// kept under the new one and restored at the end. Options are those of
// VerifyNone ([MaxWait], the Ignore options, [IgnoreLabel], [ByLabel]).
//
// Check returns a context carrying the test goroutine's labels, its own
// included. runtime/pprof.Do(ctx, ...) replaces a goroutine's labels with
// those of ctx: inside a test, give it this context (or one derived from
// it), not context.Background(), or the goroutines started under pprof.Do
// lose the test's label and Check cannot see them.
func Check(t testing.TB, options ...Option) context.Context {
	t.Helper()
	return startCheck(t, options)
}

// checkT is what Check uses of a test, so that its own tests can watch it
// fail without failing.
type checkT interface {
	Helper()
	Name() string
	Cleanup(func())
	Errorf(format string, args ...any)
}

func startCheck(t checkT, options []Option) context.Context {
	t.Helper()
	c := &check{name: t.Name(), o: buildOpts(options), self: goid()}
	c.run = fmt.Sprintf("%s#%d", c.name, nextRun(c.name))
	prev, err := ownLabels()
	if err != nil {
		t.Errorf("capture.Check: cannot read the test goroutine's labels: %v", err)
		return context.Background()
	}
	dump, _ := dumpStacks(DefaultStacksLimit)
	c.before = goroutineIDs(dump)
	labels := maps.Clone(prev)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[TestLabel] = c.run
	ctx := withLabels(labels)
	pprof.SetGoroutineLabels(ctx)
	t.Cleanup(func() {
		t.Helper()
		err := c.judge()
		// Only the goroutine that was labelled can be given its labels
		// back; the testing package runs cleanups on it.
		if goid() == c.self {
			pprof.SetGoroutineLabels(withLabels(prev))
		}
		if err != nil {
			t.Errorf("%v", err)
		}
	})
	return ctx
}

// checkRuns numbers the runs of Check in this process, per test: with
// -count=3 a test's runs are #1, #2 and #3.
var checkRuns struct {
	sync.Mutex
	n map[string]int
}

func nextRun(name string) int {
	checkRuns.Lock()
	defer checkRuns.Unlock()
	if checkRuns.n == nil {
		checkRuns.n = map[string]int{}
	}
	checkRuns.n[name]++
	return checkRuns.n[name]
}

// reported holds the goroutines a Check has already failed a test for: a
// later run of the same test with the same stack does not count them again.
var reported struct {
	sync.Mutex
	ids map[int64]bool
}

func isReported(id int64) bool {
	reported.Lock()
	defer reported.Unlock()
	return reported.ids[id]
}

func markReported(s *parse.Snapshot) {
	reported.Lock()
	defer reported.Unlock()
	if reported.ids == nil {
		reported.ids = map[int64]bool{}
	}
	for _, g := range s.Groups {
		for _, m := range g.Members {
			reported.ids[m.ID] = true
		}
	}
}

// check is one run of a test under Check.
type check struct {
	name, run string
	o         *opts
	self      int64
	// before are the goroutines that existed when Check was called: none
	// of them is the test's.
	before map[int64]bool
}

// The proof costs a GC cycle: it is tried when the test's goroutines have
// parked (or after proofAfter, if the traceback cannot show that), and
// again only when they changed, at most maxProofs times.
const (
	maxProofs  = 3
	proofAfter = 50 * time.Millisecond
)

// judge waits up to MaxWait for the run's goroutines to go, proving leaks
// with the GC where it can, and returns nil if they went, else the failure.
func (c *check) judge() error {
	if err := errors.Join(c.o.errs...); err != nil {
		return fmt.Errorf("capture.Check: %w", err)
	}
	start := time.Now()
	deadline := start.Add(c.o.maxWait)
	proofs, proved := 0, ""
	for i := 0; ; i++ {
		left, parked, err := c.left(false)
		if err != nil {
			return fmt.Errorf("capture.Check: %w", err)
		}
		if left.Count() == 0 {
			return nil
		}
		if k := groupKeys(left); proofs < maxProofs && k != proved && (parked || time.Since(start) >= proofAfter) && hasLeakProfile() {
			proofs, proved = proofs+1, k
			proven, _, err := c.left(true)
			if err != nil {
				return fmt.Errorf("capture.Check: %w", err)
			}
			if proven.Count() > 0 {
				return c.fail(proven, "")
			}
		}
		if pause(context.Background(), i, deadline) != nil {
			// A last proof before the verdict: an earlier one may have run
			// while something still referred to the goroutines' channels
			// (on a loaded machine, the test's own frames not yet gone).
			if proofs < maxProofs && hasLeakProfile() {
				if proven, _, err := c.left(true); err == nil && proven.Count() > 0 {
					return c.fail(proven, "")
				}
			}
			return c.fail(left, fmt.Sprintf("still there after waiting %v", c.o.maxWait))
		}
	}
}

// groupKeys identifies the groups of s and their sizes.
func groupKeys(s *parse.Snapshot) string {
	var b strings.Builder
	for _, g := range s.Groups {
		fmt.Fprintf(&b, "%d %s\n", g.Count, g.Key)
	}
	return b.String()
}

// profileFunc is profile's name as stacks print it: the record of the
// goroutine writing the profile is the judge's own.
var profileFunc = runtime.FuncForPC(reflect.ValueOf(profile).Pointer()).Name()

// left returns the run's goroutines that are still there and not expected
// (or, with proof, those the goroutineleak GC proved leaked), and whether
// they are all parked. They come from a traceback, with IDs and states,
// when every labelled goroutine of the profile is found in it; otherwise
// from the profile's records, which have neither.
func (c *check) left(proof bool) (*parse.Snapshot, bool, error) {
	name := "goroutine"
	if proof {
		name = "goroutineleak" // written first: it runs the GC that marks the traceback
	}
	prof, err := profile(name)
	if err != nil {
		return nil, false, err
	}
	_, s, err := snapshot(0, c.name)
	if err != nil {
		return nil, false, err
	}
	x := lineage.New(s)
	fromHeader := headerLabels(s, c.self) != nil
	var headerOf map[int64]string
	if fromHeader {
		headerOf = labelValues(s)
	}
	dropIDs(s, func(id int64) bool { return id == c.self || c.before[id] || isReported(id) })
	if proof {
		dropLive(s)
	}
	unmatched := 0
	if fromHeader {
		dropIDs(s, func(id int64) bool { return headerOf[id] != c.run })
	} else {
		unmatched = c.match(s, x, labelled(prof, TestLabel, c.run, profileFunc))
	}
	if unmatched > 0 {
		// The traceback lacks some of them (the runtime printed no stack,
		// or a header this parse cannot read): report the profile's
		// records rather than lose them.
		rest := onlyLabelled(prof, TestLabel, c.run, profileFunc)
		rest.Name = c.name
		left, err := unexpected(rest, c.o, nil)
		return left, false, err
	}
	if !fromHeader && c.o.wantsLabels() {
		// The run's goroutines get their whole label sets from the run's
		// records: another test's goroutine of the same stack has others.
		labelsFrom(s, prof, func(l map[string]string) bool { return l[TestLabel] == c.run })
	}
	left, err := unexpected(s, c.o, prof)
	if err != nil {
		return nil, false, err
	}
	return left, busy(left) == 0, nil
}

// dropLive keeps only the goroutines marked (leaked).
func dropLive(s *parse.Snapshot) {
	live := map[int64]bool{}
	for _, g := range s.Groups {
		if !g.Leaked {
			for _, m := range g.Members {
				live[m.ID] = true
			}
		}
	}
	dropIDs(s, func(id int64) bool { return live[id] })
}

// match keeps in s the goroutines that the profile's labelled records
// (need, counts by stackKey) stand for, and returns how many it could not
// find. Where a stack has more goroutines than records, those whose line
// of descent reaches this test go first; those of another test never do.
func (c *check) match(s *parse.Snapshot, x *lineage.Index, need map[string]int) (unmatched int) {
	type cand struct {
		id   int64
		rank int
	}
	byKey := map[string][]cand{}
	for _, g := range s.Groups {
		k := stackKey(g.Frames)
		if need[k] == 0 {
			continue
		}
		for _, m := range g.Members {
			// Another test's goroutine does not carry this test's label.
			if r := c.rank(x, m.ID); r < 2 {
				byKey[k] = append(byKey[k], cand{m.ID, r})
			}
		}
	}
	keep := map[int64]bool{}
	for k, n := range need {
		cs := byKey[k]
		slices.SortStableFunc(cs, func(a, b cand) int { return a.rank - b.rank })
		take := min(n, len(cs))
		for _, cd := range cs[:take] {
			keep[cd.id] = true
		}
		unmatched += n - take
	}
	dropIDs(s, func(id int64) bool { return !keep[id] })
	return unmatched
}

// rank says how likely goroutine id is the test's, from its line of
// descent: 0 when the line reaches the test's goroutine or a function of
// its test, 2 when the nearest test function in it is another test's, 1
// when the line says nothing (an ancestor has exited).
func (c *check) rank(x *lineage.Index, id int64) int {
	top, _, _ := strings.Cut(c.name, "/")
	judge := func(fns ...string) int {
		for _, fn := range fns {
			if name := lineage.Short(fn); strings.HasPrefix(name, "Test") && name != "TestMain" && !strings.Contains(name, ".") {
				if name == top {
					return 0
				}
				return 2
			}
		}
		return 1
	}
	frames, createdBy, _ := x.Goroutine(id)
	r := judge(funcs(frames, createdBy)...)
	if r != 1 {
		return r
	}
	x.Walk(id, func(st lineage.Step) bool {
		if st.ID == c.self {
			r = 0
		} else {
			r = judge(funcs(st.Frames, st.CreatedBy)...)
		}
		return r == 1
	})
	return r
}

// funcs lists the functions of a stack, its creator last.
func funcs(frames []parse.Frame, createdBy *parse.Frame) []string {
	var out []string
	for _, f := range frames {
		out = append(out, f.Func)
	}
	if createdBy != nil {
		out = append(out, createdBy.Func)
	}
	return out
}

// headerLabels returns the labels the traceback header printed for
// goroutine id, nil when it printed none.
func headerLabels(s *parse.Snapshot, id int64) map[string]string {
	for _, g := range s.Groups {
		for _, m := range g.Members {
			if m.ID == id {
				return m.Labels
			}
		}
	}
	return nil
}

// labelValues maps each goroutine whose header shows TestLabel to its value.
func labelValues(s *parse.Snapshot) map[int64]string {
	out := map[int64]string{}
	for _, g := range s.Groups {
		for _, m := range g.Members {
			if v, ok := m.Labels[TestLabel]; ok {
				out[m.ID] = v
			}
		}
	}
	return out
}

// fail is the test's failure: which run left which goroutines.
func (c *check) fail(left *parse.Snapshot, evidence string) error {
	markReported(left)
	how := "that stayed"
	if evidence == "" {
		how = "that the GC proved leaked"
	}
	head := fmt.Sprintf("capture.Check: %s (run %s) left %s %s:\n\n", c.name, c.run, goroutines(left.Count()), how)
	return render(left, head, evidence, nil)
}
