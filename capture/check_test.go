package capture

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// checkFake is a test under Check that records its failures and runs its
// cleanups when told to, as the testing package would at the test's end.
type checkFake struct {
	name     string
	errs     []string
	cleanups []func()
}

func (f *checkFake) Helper()           {}
func (f *checkFake) Name() string      { return f.name }
func (f *checkFake) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *checkFake) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// end runs the cleanups, last registered first.
func (f *checkFake) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// startThroughExited starts n leaked goroutines from a goroutine that
// exits once they run: their parent link in a traceback is cut.
func startThroughExited(n int) *Leaker {
	done := make(chan *Leaker)
	go func() { done <- StartLeaks(n) }()
	return <-done
}

func TestCheckFailsForItsGoroutines(t *testing.T) {
	f := &checkFake{name: "TestLeaky"}
	startCheck(f, []Option{short})
	l := startThroughExited(2)
	defer l.Release()
	// Parked before the test ends, so that the report shows where (on a
	// loaded machine they may not have run yet within the short wait).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	Settle(ctx)
	f.end()
	if len(f.errs) != 1 {
		t.Fatalf("%d failures, want 1: %q", len(f.errs), f.errs)
	}
	msg := f.errs[0]
	t.Logf("Check reported:\n%s", msg)
	for _, want := range []string{
		"capture.Check: TestLeaky (run TestLeaky#",
		"left 2 goroutines",
		"chan send",
		"capture.blockSend",
		"created by " + StartLeaksFn,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestCheckIgnoresOthersGoroutines(t *testing.T) {
	// Goroutines that are not the test's: one from before Check, one
	// started after it by a goroutine that does not carry its label.
	early := StartLeaks(1)
	defer early.Release()
	start := make(chan chan *Leaker)
	go func() {
		for reply := range start {
			reply <- StartLeaks(1)
		}
	}()
	defer close(start)

	f := &checkFake{name: "TestClean"}
	startCheck(f, []Option{MaxWait(5 * time.Second)}) // ample on a loaded machine: the wait ends when they do
	reply := make(chan *Leaker)
	start <- reply
	late := <-reply
	defer late.Release()
	// The test's own goroutines that finish in time are waited for.
	for range 3 {
		go time.Sleep(20 * time.Millisecond)
	}
	f.end()
	if len(f.errs) != 0 {
		t.Errorf("Check blamed the test for goroutines it did not start: %q", f.errs)
	}
}

func TestCheckRunsAreDistinct(t *testing.T) {
	// Two runs of one test, the first leaking: the second reports only
	// its own goroutine, not 1+1.
	first := &checkFake{name: "TestTwice"}
	startCheck(first, []Option{short})
	l1 := StartLeaks(1)
	defer l1.Release()
	first.end()

	second := &checkFake{name: "TestTwice"}
	startCheck(second, []Option{short})
	l2 := StartLeaks(1)
	defer l2.Release()
	second.end()
	for i, f := range []*checkFake{first, second} {
		if len(f.errs) != 1 || !strings.Contains(f.errs[0], "left 1 goroutine that stayed") {
			t.Errorf("run %d: want one failure for 1 goroutine, got %q", i+1, f.errs)
		}
	}
}

func TestCheckKeepsAndRestoresLabels(t *testing.T) {
	pprof.Do(context.Background(), pprof.Labels("tenant", "a"), func(context.Context) {
		f := &checkFake{name: "TestLabels"}
		startCheck(f, nil)
		during, err := ownLabels()
		if err != nil {
			t.Fatal(err)
		}
		run := during[TestLabel]
		if !strings.HasPrefix(run, "TestLabels#") {
			t.Errorf("label %s = %q, want TestLabels#N", TestLabel, run)
		}
		if diff := cmp.Diff(map[string]string{"tenant": "a", TestLabel: run}, during); diff != "" {
			t.Errorf("labels during the test (-want +got):\n%s", diff)
		}
		f.end()
		after, err := ownLabels()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"tenant": "a"}, after); diff != "" {
			t.Errorf("labels after the test (-want +got):\n%s", diff)
		}
	})
}

// headerLabelsEnv marks the child process of TestCheckWithHeaderLabels.
const headerLabelsEnv = "STACKDIFF_CHECK_HEADER_LABELS"

// TestCheckWithHeaderLabels runs Check's tests again where the runtime
// prints labels in traceback headers (GODEBUG=tracebacklabels=1, as Go 1.27
// does for go 1.27 modules): Check then reads its label from the header of
// each goroutine instead of matching profile records by stack.
func TestCheckWithHeaderLabels(t *testing.T) {
	if os.Getenv(headerLabelsEnv) != "" {
		t.Skip("in the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestCheck(FailsForItsGoroutines|IgnoresOthersGoroutines|RunsAreDistinct|HeaderMode)|TestVerifyTestMain)$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), headerLabelsEnv+"=1", "GODEBUG=tracebacklabels=1")
	out, err := cmd.CombinedOutput()
	if bytes.Contains(out, []byte(noHeaderRead)) {
		// Go 1.27 prints the header form of go 1.27 modules under this
		// GODEBUG too; parse learns it separately.
		t.Skipf("%s: the dumps lose goroutines, so Check cannot be tried on them", noHeaderRead)
	}
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestCheckHeaderMode")) {
		t.Fatalf("%v:\n%s", err, out)
	}
}

const noHeaderRead = "parse does not read the labelled headers this runtime prints"

// TestCheckHeaderMode, in the child, checks that the header shows the label.
func TestCheckHeaderMode(t *testing.T) {
	if os.Getenv(headerLabelsEnv) == "" {
		t.Skip("runs in the child of TestCheckWithHeaderLabels")
	}
	f := &checkFake{name: "TestHeader"}
	startCheck(f, nil)
	defer f.end()
	dump, s, err := snapshot(0, "header")
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(dump, []byte("\ngoroutine ")) + 1; s.Count() != n {
		t.Skipf("%s (%d of %d goroutines read)", noHeaderRead, s.Count(), n)
	}
	if got := headerLabels(s, goid())[TestLabel]; !strings.HasPrefix(got, "TestHeader#") {
		t.Errorf("the header of the test's goroutine shows %s=%q, want TestHeader#N", TestLabel, got)
	}
}

// TestVerifyNoneSaysToUseCheck: a goroutine whose parent has exited cannot
// be traced to a test; VerifyNone's failure says what would.
func TestVerifyNoneSaysToUseCheck(t *testing.T) {
	if strings.Contains(os.Getenv("GODEBUG"), "tracebackancestors=") {
		t.Skip("the ancestry traces it")
	}
	l := startThroughExited(1)
	defer l.Release()
	var ft fakeT
	VerifyNone(&ft, short)
	want := "1 goroutine of them could not be traced to this test or another (a goroutine between has exited): call capture.Check(t) first in each test"
	if len(ft.errs) != 1 || !strings.Contains(ft.errs[0], want) {
		t.Errorf("VerifyNone reported %q, want one failure saying %q", ft.errs, want)
	}
}

// TestCheckThroughPprofDo: pprof.Do replaces a goroutine's labels with its
// context's. Given the context Check returns, the goroutines started under
// it keep the test's label, so a leak there is the test's; given
// context.Background(), it would be nobody's.
func TestCheckThroughPprofDo(t *testing.T) {
	f := &checkFake{name: "TestHandler"}
	ctx := startCheck(f, []Option{short})
	var l *Leaker
	pprof.Do(ctx, pprof.Labels("endpoint", "/api/export"), func(context.Context) {
		l = StartLeaks(2)
	})
	defer l.Release()
	f.end()
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "left 2 goroutines") {
		t.Fatalf("failures %q, want one naming the 2 goroutines started under pprof.Do", f.errs)
	}
}

// TestRunsNumberedPerTest: with -count=3 a test's runs are #1, #2 and #3,
// whatever other tests ran between them.
func TestRunsNumberedPerTest(t *testing.T) {
	a, b := t.Name()+"/a", t.Name()+"/b" // names no other test uses
	got := []int{nextRun(a), nextRun(b), nextRun(a), nextRun(b), nextRun(a)}
	if want := []int{1, 1, 2, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
}
