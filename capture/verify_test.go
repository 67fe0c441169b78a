package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/summarytest"
)

// fakeT records what VerifyNone reports instead of failing the test.
type fakeT struct {
	helper bool
	errs   []string
}

func (f *fakeT) Helper() { f.helper = true }

func (f *fakeT) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// short keeps failing checks fast: the leaks here never go away.
var short = MaxWait(50 * time.Millisecond)

func TestVerifyNoneReportsLeak(t *testing.T) {
	l := StartLeaks(5)
	defer l.Release()
	var ft fakeT
	VerifyNone(&ft, short)
	if !ft.helper {
		t.Error("VerifyNone did not mark itself a helper")
	}
	if len(ft.errs) != 1 {
		t.Fatalf("%d errors, want 1: %q", len(ft.errs), ft.errs)
	}
	msg := ft.errs[0]
	t.Logf("VerifyNone reported:\n%s", msg)
	for _, want := range []string{
		"found 5 unexpected goroutines",
		"VERDICT", "LABEL", // the grouped table's header
		"chan-send",
		"capture.blockSend",          // the blocking site
		"created by " + StartLeaksFn, // the creator, in the details
		"still there after waiting 50ms",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Grouped: the five goroutines are one table row and one detail
	// block, not a traceback each.
	if n := len(regexp.MustCompile(`(?m)^.*chan-send.*$`).FindAllString(msg, -1)); n != 2 {
		t.Errorf("chan-send appears on %d lines, want 2 (one row, one detail)", n)
	}
	if regexp.MustCompile(`goroutine \d+ \[`).MatchString(msg) {
		t.Error("report holds raw goroutine headers: a wall of stacks")
	}
	// The test goroutine and the testing package's runner are expected.
	if strings.Contains(msg, "test-runner") || strings.Contains(msg, "TestVerifyNoneReportsLeak") {
		t.Error("report lists the test's own goroutines")
	}
}

func TestVerifyNoneClean(t *testing.T) {
	var ft fakeT
	VerifyNone(&ft)
	if len(ft.errs) != 0 {
		t.Fatalf("no leak, but: %q", ft.errs)
	}

	// Goroutines that finish within MaxWait are waited for, not reported.
	done := make(chan struct{})
	go func() {
		time.Sleep(30 * time.Millisecond)
		close(done)
	}()
	start := time.Now()
	VerifyNone(&ft)
	<-done
	if len(ft.errs) != 0 {
		t.Fatalf("a goroutine that finished was reported: %q", ft.errs)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("VerifyNone took %v for a 30ms goroutine", time.Since(start))
	}
}

func TestVerifyNoneIgnores(t *testing.T) {
	l := StartLeaks(2)
	defer l.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opt  Option
		ok   bool
	}{
		{"top", IgnoreTopFunction(BlockSendFunc), true},
		{"any", IgnoreAnyFunction(StartLeaksFn + ".func1"), true},
		{"creator", IgnoreCreatedBy(StartLeaksFn), true},
		{"current", IgnoreCurrent(), true},
		{"other top", IgnoreTopFunction("main.nothing"), false},
		{"other creator", IgnoreCreatedBy("main.nothing"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ft fakeT
			VerifyNone(&ft, tc.opt, short)
			if ok := len(ft.errs) == 0; ok != tc.ok {
				t.Errorf("clean = %v, want %v: %q", ok, tc.ok, ft.errs)
			}
		})
	}

	// IgnoreCurrent ignores what was there when it was built, not later.
	current := IgnoreCurrent()
	l2 := StartLeaks(1)
	defer l2.Release()
	var ft fakeT
	VerifyNone(&ft, current, short)
	if len(ft.errs) != 1 || !strings.Contains(ft.errs[0], "found 1 unexpected goroutine:") {
		t.Errorf("IgnoreCurrent hid a later goroutine: %q", ft.errs)
	}
}

// fakeM stands in for *testing.M: run is the "tests".
type fakeM struct {
	code int
	run  func()
}

func (m fakeM) Run() int {
	if m.run != nil {
		m.run()
	}
	return m.code
}

func TestVerifyTestMain(t *testing.T) {
	defer func(exit func(int), w io.Writer) { _osExit, _stderr = exit, w }(_osExit, _stderr)
	var stderr bytes.Buffer
	var exits []int
	_osExit = func(code int) { exits = append(exits, code) }
	_stderr = &stderr

	// Tests passed, nothing leaked: return, print nothing.
	VerifyTestMain(fakeM{code: 0}, short)
	if len(exits) != 0 || stderr.Len() != 0 {
		t.Fatalf("clean run: exits %v, stderr %q", exits, stderr.String())
	}

	// Tests passed, a goroutine leaked: the table on stderr, exit 1.
	var l *Leaker
	defer func() { l.Release() }()
	VerifyTestMain(fakeM{code: 0, run: func() { l = StartLeaks(1) }}, short)
	if len(exits) != 1 || exits[0] != 1 {
		t.Errorf("leaky run: exits %v, want [1]", exits)
	}
	// The leak's parent is this test's goroutine, still running: the
	// report names the test.
	for _, want := range []string{"tests passed but leaked goroutines", "chan-send", "VERDICT",
		"evidence: leaked by TestVerifyTestMain (1 goroutine)\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	l.Release()

	// Started in a subtest, which has finished: without the ancestry
	// the runtime can record, no test can be named, and the report says
	// how to get one.
	stderr.Reset()
	exits = nil
	VerifyTestMain(fakeM{code: 0, run: func() {
		t.Run("sub", func(*testing.T) { l = StartLeaks(2) })
	}}, short)
	want := "evidence: 2 goroutines whose test the dump does not show: call capture.Check(t) first in each test (or run with GODEBUG=tracebackancestors=100) to see which test started them\n"
	if strings.Contains(os.Getenv("GODEBUG"), "tracebackancestors=") {
		want = "evidence: leaked by TestVerifyTestMain (2 goroutines)\n"
	}
	if len(exits) != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exits %v; stderr lacks %q:\n%s", exits, want, stderr.String())
	}
	l.Release()

	// The same, in a subtest that called Check: its label names it.
	stderr.Reset()
	exits = nil
	VerifyTestMain(fakeM{code: 0, run: func() {
		t.Run("checked", func(t *testing.T) {
			f := &checkFake{name: t.Name()}
			startCheck(f, nil) // its cleanup is never run: the leak outlives the test
			l = startThroughExited(2)
		})
	}}, short)
	want = "evidence: leaked by TestVerifyTestMain/checked (2 goroutines)\n"
	if len(exits) != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exits %v; stderr lacks %q:\n%s", exits, want, stderr.String())
	}

	// Tests failed: their status stands, no leak check, no exit here.
	stderr.Reset()
	exits = nil
	VerifyTestMain(fakeM{code: 2}, short)
	if len(exits) != 0 || stderr.Len() != 0 {
		t.Errorf("failed run: exits %v, stderr %q; want neither", exits, stderr.String())
	}
}

func TestFind(t *testing.T) {
	if err := Find(); err != nil {
		t.Fatalf("Find with no leak = %v", err)
	}
	l := StartLeaks(2)
	defer l.Release()
	err := Find(short)
	var le *LeakError
	if !errors.As(err, &le) {
		t.Fatalf("Find with 2 leaks = %v, want a *LeakError", err)
	}
	if len(le.Report.Groups) != 1 || le.Report.Groups[0].Label != classify.ChanSend || le.Report.Summary.Leaked != 2 {
		t.Errorf("LeakError.Report: %d groups, summary %+v; want one chan-send group of 2", len(le.Report.Groups), le.Report.Summary)
	}
	// The summary is classify's, so it adds up like every other one: the
	// leak groups hold the leaked goroutines.
	if err := summarytest.Check(le.Report); err != nil {
		t.Error(err)
	}
	if s := le.Report.Summary; s.LeakGroups != 1 || s.InLeakGroups != 2 {
		t.Errorf("summary %+v, want 1 leak group holding 2 goroutines", s)
	}
	if !strings.Contains(err.Error(), "found 2 unexpected goroutines") {
		t.Errorf("Find's error lacks the report:\n%v", err)
	}
}

// TestLeftoversAreNoWholeDump: the goroutines a test left are a part of the
// process, not a dump of all of it; the rules that need every goroutine (a
// stopped process, an exited creator) must not speak in the report.
func TestLeftoversAreNoWholeDump(t *testing.T) {
	l := StartLeaks(2)
	defer l.Release()
	err := Find(short)
	if err == nil {
		t.Fatal("Find found no leak")
	}
	for _, words := range []string{"process stopped", "has exited", "has returned"} {
		if strings.Contains(err.Error(), words) {
			t.Errorf("the report of leftover goroutines says %q:\n%v", words, err)
		}
	}
}
