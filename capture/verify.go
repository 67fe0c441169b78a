package capture

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/lineage"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
)

// TestingT is what [VerifyNone] needs of a test: *testing.T and
// *testing.B satisfy it, and so does a fake in a test of a test helper.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
}

// TestingM is what [VerifyTestMain] needs of *testing.M.
type TestingM interface {
	Run() int
}

// Stubbed by tests of VerifyTestMain, which must neither exit nor print.
var (
	_osExit           = os.Exit
	_stderr io.Writer = os.Stderr
)

// VerifyNone fails t when goroutines other than the expected ones are
// still there after waiting up to [MaxWait] for them to finish. Use it as
//
//	defer capture.VerifyNone(t)
//
// The failure is stackdiff's grouped table (what each group waits on,
// where, who started it, the usual fix), not a wall of stacks.
//
// Expected goroutines: the caller, the testing package's own (the test
// runner, parents blocked in t.Run, parallel tests waiting, the timeout
// alarm), the runtime's and os/signal's singletons (classify labels
// "system" and "test-runner"), and those the options ignore.
//
// In a test, VerifyNone judges the goroutines the test started, directly
// or through goroutines it started: it follows the "created by … in
// goroutine N" links of the dump from the test's own goroutine. A
// goroutine that descends from another test's goroutine (running, or
// finished when the dump shows it) never fails this test, so tests that
// call t.Parallel do not blame each other. A link breaks where an
// intermediate goroutine has exited; run the tests with
// GODEBUG=tracebackancestors=100 and the runtime records each goroutine's
// ancestors, which VerifyNone then follows. While other tests run in
// parallel, a goroutine that cannot be attributed does not count and
// VerifyNone logs how many there were (through Logf, when t has it); when
// the test runs alone, every goroutine counts but other tests' ones, as
// goleak would count them.
func VerifyNone(t TestingT, options ...Option) {
	t.Helper()
	if err := find(goid(), buildOpts(options), t); err != nil {
		t.Errorf("%v", err)
	}
}

// Find waits, like [VerifyNone], up to [MaxWait] for the unexpected
// goroutines to finish, and returns nil if they did. Otherwise the error
// is a [*LeakError] holding the report, or says why no report could be
// made. It is VerifyNone for code that is not a test (or wants to decide
// what a leak means itself).
func Find(options ...Option) error {
	return find(goid(), buildOpts(options), nil)
}

// LeakError is [Find]'s error when goroutines outlived the wait: the
// grouped report of those left over, every group a leak.
type LeakError struct {
	Report *classify.Report
	text   string
}

// Error is the report as text: stackdiff's table, with the first 8 frames
// of each group.
func (e *LeakError) Error() string { return e.text }

// VerifyTestMain runs the tests and, when they passed, checks like
// [VerifyNone] that they left no goroutine behind; if they did it prints
// the report to standard error and exits with status 1. Use it as
//
//	func TestMain(m *testing.M) { capture.VerifyTestMain(m) }
//
// The report names, for each leaked group, the test that started its
// goroutines ("leaked by TestFetchAll (3 goroutines)"), found in their
// line of descent: the parent links, and the ancestry the runtime records
// under GODEBUG=tracebackancestors=100. Without that setting, a goroutine
// whose parent has exited can be named only when a test function started
// it directly; the report says how to see the others.
//
// Otherwise it returns, and the testing package exits with m.Run's
// status (Go 1.15 and later), running TestMain's deferred calls first.
func VerifyTestMain(m TestingM, options ...Option) {
	if m.Run() != 0 {
		return
	}
	if err := find(goid(), buildOpts(options), nil); err != nil {
		fmt.Fprintf(_stderr, "stackdiff: tests passed but leaked goroutines\n%v", err)
		_osExit(1)
	}
}

// find waits up to o.maxWait for the unexpected goroutines to go away and
// returns nil if they did, else a *LeakError about those that stayed. For
// VerifyNone (t not nil) only the goroutines the test answers for count
// (see attribute); otherwise the report names the tests that started them.
func find(self int64, o *opts, t TestingT) error {
	if t != nil {
		t.Helper()
	}
	if err := errors.Join(o.errs...); err != nil {
		return err
	}
	// A deadline, not a context timeout: see settle.
	deadline := time.Now().Add(o.maxWait)
	proved := false
	for i := 0; ; i++ {
		_, s, err := snapshot(0, "leftover")
		if err != nil {
			return err
		}
		x, at := lineage.New(s), (*attribution)(nil)
		if t != nil {
			at = attribute(x, s, self)
		}
		names := x
		if t != nil {
			names = nil // the test's own goroutines: no test to name
		}
		dropIDs(s, func(id int64) bool { return id == self })
		left, err := unexpected(s, o, nil)
		if err != nil {
			return err
		}
		at.drop(left)
		if left.Count() == 0 {
			logNote(t, at.note())
			return nil
		}
		if p := provenOnly(left); p.Count() > 0 {
			logNote(t, at.note())
			head := fmt.Sprintf("found %s that the GC proved leaked:\n\n", goroutines(p.Count()))
			return render(p, head+at.unattributed(p), "", names)
		}
		if !proved && busy(left) == 0 && hasLeakProfile() {
			// Everything has parked: one GC cycle of the leak profile
			// marks what can never wake, and the next snapshot shows it.
			proved = true
			if _, err := profile("goroutineleak"); err != nil {
				return err
			}
			continue
		}
		if pause(context.Background(), i, deadline) != nil {
			logNote(t, at.note())
			head := fmt.Sprintf("found %s:\n\n", report.Plural(left.Count(), "unexpected goroutine"))
			return render(left, head+at.unattributed(left), fmt.Sprintf("still there after waiting %v", o.maxWait), names)
		}
	}
}

// provenOnly returns the groups of s that the goroutineleak GC marked
// (leaked), as a snapshot of their own.
func provenOnly(s *parse.Snapshot) *parse.Snapshot {
	p := &parse.Snapshot{Name: s.Name, Format: s.Format, Cut: true}
	for _, g := range s.Groups {
		if g.Leaked {
			p.Groups = append(p.Groups, g)
		}
	}
	return p
}

// unexpected returns the goroutines of s that no default or option
// ignores, as a snapshot of their own: its groups are subsets of s's,
// split as the label options say (with labels from prof where the headers
// show none; see splitLabels).
func unexpected(s *parse.Snapshot, o *opts, prof *parse.Snapshot) (*parse.Snapshot, error) {
	o.dropIgnored(s)
	if err := o.splitLabels(s, prof); err != nil {
		return nil, err
	}
	// The labels and the ignores are classify's, so "expected" and
	// "ignored" mean the same here as in Diff and the CLI.
	expected := map[int64]bool{}
	for _, g := range classify.Compare([]*parse.Snapshot{s}, o.classifyOptions()).Groups {
		if g.Ignored != "" || g.Label == classify.System || g.Label == classify.TestRunner {
			for _, id := range g.IDs {
				expected[id] = true
			}
		}
	}
	dropIDs(s, func(id int64) bool { return expected[id] })
	return s, nil
}

// render is the failure: head, then stackdiff's table of the goroutines
// left over, with the first 8 frames of each group. In a single snapshot
// classify calls a parked goroutine ok (nothing says it is new); here every
// goroutine shown outlived the test, which classify is told, so each group
// is a leak and its evidence says why ("" adds none: the GC's proof speaks
// for itself).
func render(left *parse.Snapshot, head, evidence string, names *lineage.Index) *LeakError {
	// What capture took out itself (the test's own goroutine, the expected
	// ones) is how the question was asked, not part of the answer.
	left.LeftOut = slices.DeleteFunc(left.LeftOut, func(l parse.LeftOut) bool { return l.Why == whyCapture })
	var byLabel map[int64]string
	if names != nil {
		byLabel = testsByLabel(left)
	}
	r := classify.Compare([]*parse.Snapshot{left}, &classify.Options{
		Outlived: func(g *classify.Group) []string {
			var why []string
			if evidence != "" {
				why = append(why, evidence)
			}
			if names != nil {
				why = append(why, leakedBy(names, byLabel, g.IDs))
			}
			return why
		},
	})
	// Every verdict is now the same: order by size, then key, as a diff's
	// groups of one verdict are.
	slices.SortFunc(r.Groups, func(a, b *classify.Group) int {
		if c := cmp.Compare(b.Counts[0], a.Counts[0]); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	var b bytes.Buffer
	b.WriteString(head)
	report.Text(&b, r, report.Options{All: true, Frames: 8})
	return &LeakError{Report: r, text: b.String()}
}

// logNote logs the attribution's note when there is one and the test can
// log (a fake TestingT may have no Logf).
func logNote(t TestingT, note string) {
	if note == "" {
		return
	}
	if l, ok := t.(interface{ Logf(string, ...any) }); ok {
		t.Helper()
		l.Logf("capture: %s", note)
	}
}
