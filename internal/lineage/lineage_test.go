package lineage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

func TestNames(t *testing.T) {
	type res struct {
		Short string
		Test  bool
	}
	got := map[string]res{}
	want := map[string]res{
		"example.com/m.TestFetchAll":         {"TestFetchAll", true},
		"example.com/m.TestFetchAll.func1":   {"TestFetchAll", false},
		"example.com/m.TestFetchAll.func1.2": {"TestFetchAll", false},
		"m.Test":                             {"Test", true},
		"m.Testify":                          {"Testify", false},
		"m.TestMain":                         {"TestMain", false},
		"m.(*S).TestX":                       {"(*S).TestX", false},
		"example.com/a.b/m.Test_x":           {"Test_x", true},
		"testing.tRunner":                    {"tRunner", false},
	}
	for fn := range want {
		got[fn] = res{Short(fn), IsTestFunc(fn)}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTestFunc(t *testing.T) {
	fr := func(funcs ...string) []parse.Frame {
		var out []parse.Frame
		for _, f := range funcs {
			out = append(out, parse.Frame{Func: f})
		}
		return out
	}
	for _, tc := range []struct {
		frames []parse.Frame
		want   string
	}{
		{fr("m.helper", "m.TestA", "testing.tRunner"), "m.TestA"},
		{fr("m.TestA.func3", "testing.(*common).Cleanup.func1", "testing.(*common).runCleanup", "testing.tRunner.func2", "testing.tRunner"), "m.TestA.func3"},
		{fr("testing.(*T).Run", "testing.runTests.func1", "testing.tRunner", "testing.runTests", "main.main"), ""},
		{fr("m.deep", "m.TestA"), "m.TestA"}, // tRunner cut from an ancestor's stack
		{fr("m.worker", "m.TestA.func1"), ""},
	} {
		if got := TestFunc(tc.frames); got != tc.want {
			t.Errorf("TestFunc(%v) = %q, want %q", tc.frames, got, tc.want)
		}
	}
}

// TestWalkIsBounded: a dump that is one long chain of goroutines (each
// started by the one before) costs at most MaxLine steps per walk, not the
// chain's length: every goroutine of a report is walked.
func TestWalkIsBounded(t *testing.T) {
	const n = 5000
	var b strings.Builder
	b.WriteString("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:1 +0x1\n\n")
	for id := 2; id <= n+1; id++ {
		fmt.Fprintf(&b, "goroutine %d [chan receive]:\nmain.f()\n\t/app/main.go:5 +0x1\ncreated by main.f in goroutine %d\n\t/app/main.go:6 +0x1\n\n", id, id-1)
	}
	s, err := parse.Read(strings.NewReader(b.String()), "chain")
	if err != nil {
		t.Fatal(err)
	}
	x := New(s)
	steps := 0
	complete := x.Walk(n+1, func(Step) bool { steps++; return true })
	if steps != MaxLine || complete {
		t.Errorf("walk of a %d-long line took %d steps (complete %v), want %d and incomplete", n, steps, complete, MaxLine)
	}
	steps = 0
	if !x.Walk(10, func(Step) bool { steps++; return true }) || steps != 9 {
		t.Errorf("walk of a 9-long line: %d steps, want 9 and complete", steps)
	}
}
