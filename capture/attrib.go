package capture

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/internal/lineage"
	"github.com/stackdiff/stackdiff/parse"
)

// ancestryHint is what to run to see the ancestors that have exited.
const ancestryHint = "GODEBUG=tracebackancestors=100"

// checkHint is what to do so that every goroutine names its test, whatever
// has exited in between.
const checkHint = "call capture.Check(t) first in each test"

// An attribution decides, for [VerifyNone] in a test, which goroutines of
// a snapshot that test answers for. It follows each goroutine's line of
// descent (see package lineage) and sorts it:
type lineKind int

const (
	// mine: the test's own goroutine is in the line.
	mine lineKind = iota
	// otherTest: the nearest test goroutine in the line is another
	// test's, running or finished, that this test does not run inside.
	otherTest
	// elderTest: the nearest test goroutine in the line is one this test
	// runs inside (a parent test blocked in t.Run).
	elderTest
	// noTest: the whole line was seen and holds no test (init, TestMain,
	// the runtime).
	noTest
	// unknown: the line is cut by an ancestor that has exited and that no
	// ancestry shows.
	unknown
)

type attribution struct {
	x    *lineage.Index
	self int64
	// elders are the test's live ancestors: its parent tests, the runner.
	elders map[int64]bool
	// parallel is set when other tests run alongside: then only the
	// test's own goroutines count, and those that cannot be attributed
	// are left out rather than guessed.
	parallel bool
	// Tallies of the goroutines left out by the last drop.
	unknown int
	others  map[string]int // by test name
}

// attribute returns the attribution of s's goroutines to the test that
// runs in goroutine self, or nil when self runs no test (a benchmark, a
// helper goroutine): then every goroutine counts, as it always did.
func attribute(x *lineage.Index, s *parse.Snapshot, self int64) *attribution {
	frames, _, ok := x.Goroutine(self)
	if !ok || lineage.TestFunc(frames) == "" {
		return nil
	}
	a := &attribution{x: x, self: self, elders: map[int64]bool{}}
	x.Walk(self, func(st lineage.Step) bool {
		a.elders[st.ID] = true
		return true
	})
	for _, g := range s.Groups {
		if lineage.TestFunc(g.Frames) == "" || paused(g.Frames) {
			continue
		}
		for _, m := range g.Members {
			if m.ID != self && !a.elders[m.ID] {
				a.parallel = true
			}
		}
	}
	return a
}

// paused reports whether a test goroutine waits in t.Parallel for the
// sequential tests to finish: it runs nothing alongside them yet.
func paused(frames []parse.Frame) bool {
	return slices.ContainsFunc(frames, func(f parse.Frame) bool { return f.Func == "testing.(*T).Parallel" })
}

// judge sorts the line of goroutine id.
func (a *attribution) judge(id int64) (kind lineKind, test string) {
	if frames, _, _ := a.x.Goroutine(id); lineage.TestFunc(frames) != "" {
		if a.elders[id] {
			return elderTest, ""
		}
		return otherTest, lineage.Short(lineage.TestFunc(frames))
	}
	_, createdBy, _ := a.x.Goroutine(id)
	var nearest int64
	found, isMine := false, false
	complete := a.x.Walk(id, func(st lineage.Step) bool {
		if st.ID == a.self {
			isMine = true
			return false
		}
		if !found {
			fn := lineage.TestFunc(st.Frames)
			if fn == "" && st.Current != nil {
				fn = lineage.TestFunc(st.Current)
			}
			if fn == "" && createdBy != nil && lineage.IsTestFunc(createdBy.Func) {
				fn = createdBy.Func // the child's creator names the parent's test
			}
			if fn != "" {
				found, nearest, test = true, st.ID, lineage.Short(fn)
			}
		}
		createdBy = st.CreatedBy
		return true // on: this test may still be further up (a subtest's goroutine)
	})
	switch {
	case isMine:
		return mine, ""
	case found && a.elders[nearest]:
		return elderTest, ""
	case found:
		return otherTest, test
	case !complete && createdBy != nil && lineage.IsTestFunc(createdBy.Func):
		// The line ends at a test function's goroutine that has exited:
		// not this test's, which is running.
		return otherTest, lineage.Short(createdBy.Func)
	case complete:
		return noTest, ""
	}
	return unknown, ""
}

// drop removes from left the goroutines the test does not answer for. A
// nil attribution drops none.
func (a *attribution) drop(left *parse.Snapshot) {
	if a == nil {
		return
	}
	a.unknown, a.others = 0, map[string]int{}
	dropIDs(left, func(id int64) bool {
		kind, test := a.judge(id)
		switch kind {
		case mine:
			return false
		case otherTest:
			a.others[test]++
			return true
		case unknown:
			if a.parallel {
				a.unknown++
			}
		}
		return a.parallel
	})
}

// note says what drop left out that the test would have reported before
// attribution: goroutines that cannot be attributed while other tests
// run, and goroutines of other tests when this one runs alone. "" when
// there is nothing to say.
func (a *attribution) note() string {
	if a == nil {
		return ""
	}
	var parts []string
	if a.unknown > 0 {
		how := checkHint + " (or run with " + ancestryHint + ") to attribute them"
		if a.x.HasAncestry() {
			how = "their ancestry is cut: " + checkHint + " (or run with a larger GODEBUG=tracebackancestors) to attribute them"
		}
		parts = append(parts, fmt.Sprintf("%s could not be attributed to a test while other tests ran in parallel, and were not counted; %s",
			goroutines(a.unknown), how))
	}
	if !a.parallel && len(a.others) > 0 {
		parts = append(parts, fmt.Sprintf("not counted, as other tests' goroutines (other runs of this test included): %s", byTest(a.others)))
	}
	return strings.Join(parts, "; ")
}

// unattributed is the line a failure adds when some of the goroutines of
// left could not be traced to a test: they may be another test's, and
// Check would say. "" when there are none, or no attribution.
func (a *attribution) unattributed(left *parse.Snapshot) string {
	if a == nil {
		return ""
	}
	n := 0
	for _, g := range left.Groups {
		for _, m := range g.Members {
			if kind, _ := a.judge(m.ID); kind == unknown {
				n++
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s of them could not be traced to this test or another (a goroutine between has exited): %s to attribute every goroutine to its test by a label (or run with %s).\n\n",
		goroutines(n), checkHint, ancestryHint)
}

// byTest lists goroutine counts by test: "TestA (2 goroutines), TestB (1
// goroutine)", largest first. Goroutines of a test the dump cannot name
// are under "".
func byTest(counts map[string]int) string {
	var parts []string
	for _, t := range byCount(counts) {
		name := t
		if name == "" {
			name = "a test the dump does not name"
		}
		parts = append(parts, fmt.Sprintf("%s of %s", goroutines(counts[t]), name))
	}
	return strings.Join(parts, ", ")
}

// byCount returns the tests of counts, the most goroutines first, then by
// name.
func byCount(counts map[string]int) []string {
	tests := make([]string, 0, len(counts))
	for t := range counts {
		tests = append(tests, t)
	}
	slices.SortFunc(tests, func(x, y string) int {
		if c := cmp.Compare(counts[y], counts[x]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	return tests
}

// goroutines returns "1 goroutine" or "n goroutines".
func goroutines(n int) string {
	if n == 1 {
		return "1 goroutine"
	}
	return fmt.Sprintf("%d goroutines", n)
}

// leakedBy is the evidence VerifyTestMain adds to a leaked group: the tests
// its goroutines descend from, "leaked by TestFetchAll (3 goroutines)", and
// for the others what the dump shows. A goroutine that carries Check's
// label (byLabel) is its test's, whatever its line of descent shows.
func leakedBy(x *lineage.Index, byLabel map[int64]string, ids []int64) string {
	counts := map[string]int{}
	outside, cut := 0, 0
	for _, id := range ids {
		if test := byLabel[id]; test != "" {
			counts[test]++
			continue
		}
		switch o := x.Origin(id); {
		case o.Test() != "":
			counts[o.Test()]++
		case o.Complete:
			outside++
		default:
			cut++
		}
	}
	tests := byCount(counts)
	var parts []string
	if len(tests) > 0 {
		var by []string
		for _, t := range tests {
			by = append(by, fmt.Sprintf("%s (%s)", t, goroutines(counts[t])))
		}
		parts = append(parts, "leaked by "+strings.Join(by, ", "))
	}
	if outside > 0 {
		parts = append(parts, fmt.Sprintf("%s started outside any test (init, TestMain)", goroutines(outside)))
	}
	if cut > 0 {
		how := checkHint + " (or run with " + ancestryHint + ") to see which test started them"
		if x.HasAncestry() {
			how = "their ancestry is cut: " + checkHint + " (or run with a larger GODEBUG=tracebackancestors) to see which test started them"
		}
		parts = append(parts, fmt.Sprintf("%s whose test the dump does not show: %s", goroutines(cut), how))
	}
	return strings.Join(parts, "; ")
}
