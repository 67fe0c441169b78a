package capture

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/internal/lineage"
	"github.com/stackdiff/stackdiff/parse"
)

// g is one goroutine of a made-up dump: its state, its functions (leaf
// first), its creator and parent, and its ancestry sections, each a
// goroutine ID and functions.
type g struct {
	id        int64
	state     string
	funcs     []string
	creator   string
	parent    int64
	ancestors []anc
}

type anc struct {
	id      int64
	funcs   []string
	creator string
}

// dump prints goroutines the way the runtime does.
func dump(gs ...g) string {
	var b strings.Builder
	frames := func(funcs []string) {
		for i, f := range funcs {
			fmt.Fprintf(&b, "%s(...)\n\t/src/m/m.go:%d +0x1\n", f, 10+i)
		}
	}
	for _, x := range gs {
		fmt.Fprintf(&b, "goroutine %d [%s]:\n", x.id, x.state)
		frames(x.funcs)
		if x.creator != "" {
			fmt.Fprintf(&b, "created by %s in goroutine %d\n\t/src/m/m.go:99 +0x1\n", x.creator, x.parent)
		}
		for _, a := range x.ancestors {
			fmt.Fprintf(&b, "[originating from goroutine %d]:\n", a.id)
			frames(a.funcs)
			if a.creator != "" {
				fmt.Fprintf(&b, "created by %s\n\t/src/m/m.go:99 +0x1\n", a.creator)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The goroutines of a test binary: the runner (goroutine 1), TestA in 7,
// TestB in 8, TestP paused in t.Parallel in 9, a subtest of TestA in 50.
var (
	runner  = g{id: 1, state: "chan receive", funcs: []string{"testing.(*T).Run", "testing.runTests.func1", "testing.tRunner", "testing.runTests", "testing.(*M).Run", "main.main"}}
	testA   = g{id: 7, state: "running", funcs: []string{"m.TestA", "testing.tRunner"}, creator: "testing.(*T).Run", parent: 1}
	testB   = g{id: 8, state: "sleep", funcs: []string{"time.Sleep", "m.TestB", "testing.tRunner"}, creator: "testing.(*T).Run", parent: 1}
	testP   = g{id: 9, state: "chan receive", funcs: []string{"testing.(*T).Parallel", "m.TestP", "testing.tRunner"}, creator: "testing.(*T).Run", parent: 1}
	subA    = g{id: 50, state: "running", funcs: []string{"m.TestA.func2", "testing.tRunner"}, creator: "testing.(*T).Run", parent: 7}
	ancOfA  = anc{id: 7, funcs: []string{"m.TestA", "testing.tRunner"}, creator: "testing.(*T).Run"}
	leakers = []g{
		// Started by TestA itself.
		{id: 20, state: "chan receive", funcs: []string{"m.park"}, creator: "m.TestA", parent: 7},
		// Started by a helper goroutine of TestA that has exited.
		{id: 21, state: "chan receive", funcs: []string{"m.park"}, creator: "m.spawn.func1", parent: 30,
			ancestors: []anc{{id: 30, funcs: []string{"m.spawn.func1"}, creator: "m.spawn"}, ancOfA}},
		// Started by TestB, running alongside.
		{id: 22, state: "chan receive", funcs: []string{"m.park"}, creator: "m.TestB", parent: 8},
		// Started by a goroutine that has exited, no ancestry.
		{id: 23, state: "chan receive", funcs: []string{"m.park"}, creator: "m.spawn.func1", parent: 31},
		// Started by TestC, finished: its creator says so.
		{id: 24, state: "chan receive", funcs: []string{"m.park"}, creator: "m.TestC", parent: 6},
		// Started before the tests, in TestMain.
		{id: 25, state: "chan receive", funcs: []string{"m.park"}, creator: "m.TestMain", parent: 1},
		// Started by a finished subtest of TestA, seen through the ancestry.
		{id: 26, state: "chan receive", funcs: []string{"m.park"}, creator: "m.spawn.func1", parent: 32,
			ancestors: []anc{{id: 32, funcs: []string{"m.spawn.func1"}, creator: "m.spawn"},
				{id: 40, funcs: []string{"m.spawn", "m.TestA.func1", "testing.tRunner"}, creator: "testing.(*T).Run"}, ancOfA}},
		// Started by a finished TestD, seen through the ancestry.
		{id: 27, state: "chan receive", funcs: []string{"m.park"}, creator: "m.spawn.func1", parent: 33,
			ancestors: []anc{{id: 33, funcs: []string{"m.spawn.func1"}, creator: "m.spawn"},
				{id: 5, funcs: []string{"m.spawn", "m.TestD", "testing.tRunner"}, creator: "testing.(*T).Run"},
				{id: 1, funcs: []string{"testing.(*T).Run", "testing.runTests.func1", "testing.tRunner"}}}},
	}
)

func parseDump(t *testing.T, text string) *parse.Snapshot {
	t.Helper()
	s, err := parse.Read(strings.NewReader(text), "made-up")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type judged struct {
	Kind lineKind
	Test string
}

func TestAttributionJudges(t *testing.T) {
	s := parseDump(t, dump(append([]g{runner, testA, testB, testP, subA}, leakers...)...))
	x := lineage.New(s)
	for _, tc := range []struct {
		self     int64
		parallel bool
		want     map[int64]judged
	}{
		{7, true, map[int64]judged{
			20: {mine, ""}, 21: {mine, ""}, 22: {otherTest, "TestB"}, 23: {unknown, ""},
			24: {otherTest, "TestC"}, 25: {noTest, ""}, 26: {mine, ""}, 27: {otherTest, "TestD"},
			8: {otherTest, "TestB"}, 50: {otherTest, "TestA"},
		}},
		{8, true, map[int64]judged{
			20: {otherTest, "TestA"}, 21: {otherTest, "TestA"}, 22: {mine, ""}, 23: {unknown, ""},
			26: {otherTest, "TestA"},
		}},
		// A subtest: its parent's goroutines are its elder's.
		{50, true, map[int64]judged{
			20: {elderTest, ""}, 21: {elderTest, ""}, 7: {elderTest, ""}, 22: {otherTest, "TestB"},
		}},
	} {
		a := attribute(x, s, tc.self)
		if a == nil {
			t.Fatalf("self %d: no attribution", tc.self)
		}
		if a.parallel != tc.parallel {
			t.Errorf("self %d: parallel = %v, want %v", tc.self, a.parallel, tc.parallel)
		}
		got := map[int64]judged{}
		for id := range tc.want {
			k, test := a.judge(id)
			got[id] = judged{k, test}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("self %d (-want +got):\n%s", tc.self, diff)
		}
	}

	// Goroutine 1 runs no test: no attribution, everything counts.
	if a := attribute(x, s, 1); a != nil {
		t.Errorf("attribution for the runner: %+v", a)
	}
}

// idsOf lists the goroutine IDs of a snapshot.
func idsOf(s *parse.Snapshot) map[int64]bool {
	ids := map[int64]bool{}
	for _, g := range s.Groups {
		for _, m := range g.Members {
			ids[m.ID] = true
		}
	}
	return ids
}

// leftover is what find hands the attribution: s without the test's own
// goroutine and the expected ones (the runner, a paused test).
func leftover(t *testing.T, s *parse.Snapshot, self int64) *parse.Snapshot {
	t.Helper()
	dropIDs(s, func(id int64) bool { return id == self })
	left, err := unexpected(s, buildOpts(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	return left
}

func TestAttributionDrop(t *testing.T) {
	// With TestB running alongside: only TestA's own goroutines count,
	// and the one that cannot be attributed is said, not guessed.
	s := parseDump(t, dump(append([]g{runner, testA, testB, testP}, leakers...)...))
	x := lineage.New(s)
	a := attribute(x, s, 7)
	s = leftover(t, s, 7)
	a.drop(s)
	if diff := cmp.Diff(map[int64]bool{20: true, 21: true, 26: true}, idsOf(s)); diff != "" {
		t.Errorf("parallel: kept (-want +got):\n%s", diff)
	}
	want := "1 goroutine could not be attributed to a test while other tests ran in parallel, and were not counted; their ancestry is cut: call capture.Check(t) first in each test (or run with a larger GODEBUG=tracebackancestors) to attribute them"
	if diff := cmp.Diff(want, a.note()); diff != "" {
		t.Errorf("parallel note (-want +got):\n%s", diff)
	}

	// TestA alone (TestP waits in t.Parallel): every goroutine counts as
	// before, but those that other tests provably started.
	s = parseDump(t, dump(append([]g{runner, testA, testP}, leakers...)...))
	x = lineage.New(s)
	a = attribute(x, s, 7)
	s = leftover(t, s, 7)
	a.drop(s)
	if diff := cmp.Diff(map[int64]bool{20: true, 21: true, 23: true, 25: true, 26: true}, idsOf(s)); diff != "" {
		t.Errorf("alone: kept (-want +got):\n%s", diff)
	}
	want = "not counted, as other tests' goroutines (other runs of this test included): 1 goroutine of TestB, 1 goroutine of TestC, 1 goroutine of TestD"
	if diff := cmp.Diff(want, a.note()); diff != "" {
		t.Errorf("alone note (-want +got):\n%s", diff)
	}

	// Without ancestry in the dump, the note says how to get it.
	var plain []g
	for _, l := range leakers {
		if l.ancestors == nil {
			plain = append(plain, l)
		}
	}
	s = parseDump(t, dump(append([]g{runner, testA, testB}, plain...)...))
	x = lineage.New(s)
	a = attribute(x, s, 7)
	s = leftover(t, s, 7)
	a.drop(s)
	want = "1 goroutine could not be attributed to a test while other tests ran in parallel, and were not counted; call capture.Check(t) first in each test (or run with GODEBUG=tracebackancestors=100) to attribute them"
	if diff := cmp.Diff(want, a.note()); diff != "" {
		t.Errorf("no-ancestry note (-want +got):\n%s", diff)
	}
}

func TestLeakedBy(t *testing.T) {
	// After the tests: TestA has finished, its goroutines remain.
	var gs []g
	for _, l := range leakers {
		if l.parent != 7 && l.parent != 8 {
			gs = append(gs, l)
		}
	}
	s := parseDump(t, dump(append([]g{{id: 1, state: "running", funcs: []string{"m.TestMain", "main.main"}}}, gs...)...))
	x := lineage.New(s)
	for _, tc := range []struct {
		ids  []int64
		want string
	}{
		{[]int64{21, 26}, "leaked by TestA (2 goroutines)"},
		{[]int64{21, 24, 26, 27}, "leaked by TestA (2 goroutines), TestC (1 goroutine), TestD (1 goroutine)"},
		{[]int64{25}, "1 goroutine started outside any test (init, TestMain)"},
		{[]int64{21, 23}, "leaked by TestA (1 goroutine); 1 goroutine whose test the dump does not show: their ancestry is cut: call capture.Check(t) first in each test (or run with a larger GODEBUG=tracebackancestors) to see which test started them"},
	} {
		if diff := cmp.Diff(tc.want, leakedBy(x, nil, tc.ids)); diff != "" {
			t.Errorf("leakedBy(%v) (-want +got):\n%s", tc.ids, diff)
		}
	}
	s = parseDump(t, dump(g{id: 1, state: "running", funcs: []string{"main.main"}}, leakers[3]))
	want := "1 goroutine whose test the dump does not show: call capture.Check(t) first in each test (or run with GODEBUG=tracebackancestors=100) to see which test started them"
	if diff := cmp.Diff(want, leakedBy(lineage.New(s), nil, []int64{23})); diff != "" {
		t.Errorf("without ancestry (-want +got):\n%s", diff)
	}
}
