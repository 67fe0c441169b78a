package capture

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// leakPart is n goroutines under one label set (none when kv is empty).
type leakPart struct {
	n  int
	kv []string
}

// The goroutines of the label tests: one stack (StartLeaks's one go
// statement), three label sets.
var (
	export  = leakPart{3, []string{"endpoint", "/api/export"}}
	import_ = leakPart{2, []string{"endpoint", "/api/import"}}
	plain   = leakPart{1, nil}
)

// startLabelled starts the parts' goroutines, each part's under its labels
// added to those of base (a run's label under Check), and returns once all
// are parked. The goroutines are released at the test's end.
func startLabelled(t *testing.T, base context.Context, parts ...leakPart) {
	t.Helper()
	total := 0
	for _, p := range parts {
		var l *Leaker
		if len(p.kv) == 0 {
			pprof.Do(base, pprof.Labels(), func(context.Context) { l = StartLeaks(p.n) })
		} else {
			pprof.Do(base, pprof.Labels(p.kv...), func(context.Context) { l = StartLeaks(p.n) })
		}
		t.Cleanup(l.Release)
		total += p.n
	}
	waitParked(total)
}

// leakGroup is what the label tests compare of a group of the leaked stack.
type leakGroup struct {
	Count     int
	Verdict   classify.Verdict
	Ignored   string
	LabelSets []parse.LabelSet
}

// leakGroups returns the groups of r whose goroutines are parked in
// blockSend, by the label pair they were split by ("" for none).
func leakGroups(r *classify.Report) map[string]leakGroup {
	out := map[string]leakGroup{}
	for _, g := range r.Groups {
		if !slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return f.Func == BlockSendFunc }) {
			continue
		}
		out[g.Split] = leakGroup{Count: g.Counts[len(g.Counts)-1], Verdict: g.Verdict, Ignored: g.Ignored, LabelSets: g.LabelSets}
	}
	return out
}

func sets(n int, kv ...string) []parse.LabelSet {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return []parse.LabelSet{{Labels: m, Count: n}}
}

// ByLabel splits the one stack by the value of endpoint, in Diff, with
// the labels read from the headers or, where the runtime prints none, from
// the goroutine profile.
func TestDiffByLabel(t *testing.T) {
	r, err := Diff(t.Context(), func() { startLabelled(t, context.Background(), export, import_, plain) }, ByLabel("endpoint"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]leakGroup{
		"endpoint=/api/export": {Count: 3, Verdict: classify.Leak, LabelSets: sets(3, "endpoint", "/api/export")},
		"endpoint=/api/import": {Count: 2, Verdict: classify.Leak, LabelSets: sets(2, "endpoint", "/api/import")},
		"":                     {Count: 1, Verdict: classify.Leak},
	}
	if diff := cmp.Diff(want, leakGroups(r)); diff != "" {
		t.Errorf("groups of the leaked stack (-want +got):\n%s", diff)
	}
}

// IgnoreLabel takes the goroutines with the label out of their group and
// ignores them; those of the same stack without it are still a leak.
func TestDiffIgnoreLabel(t *testing.T) {
	r, err := Diff(t.Context(), func() { startLabelled(t, context.Background(), export, import_, plain) }, IgnoreLabel("endpoint", "/api/export"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]leakGroup{
		"endpoint=/api/export": {Count: 3, Verdict: classify.OK, Ignored: "ignored: label endpoint=/api/export", LabelSets: sets(3, "endpoint", "/api/export")},
		"":                     {Count: 3, Verdict: classify.Leak, LabelSets: sets(2, "endpoint", "/api/import")},
	}
	if diff := cmp.Diff(want, leakGroups(r)); diff != "" {
		t.Errorf("groups of the leaked stack (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1}, r.IgnoreHits); diff != "" {
		t.Errorf("ignore hits (-want +got):\n%s", diff)
	}
}

// Find and VerifyNone: goroutines under an ignored label are expected;
// the others of the same stack still fail, split by ByLabel.
func TestFindAndVerifyNoneIgnoreLabel(t *testing.T) {
	startLabelled(t, context.Background(), export, import_)
	if err := Find(short, IgnoreLabel("endpoint", "/api/export"), IgnoreLabel("endpoint", "/api/import")); err != nil {
		t.Errorf("Find with every leak's label ignored: %v", err)
	}
	var ft fakeT
	VerifyNone(&ft, short, IgnoreLabel("endpoint", "/api/export"), IgnoreLabel("endpoint", "/api/import"))
	if len(ft.errs) != 0 {
		t.Errorf("VerifyNone with every leak's label ignored: %q", ft.errs)
	}

	err := Find(short, IgnoreLabel("endpoint", "/api/export"), ByLabel("endpoint"))
	var le *LeakError
	if !errors.As(err, &le) {
		t.Fatalf("Find with one label ignored: %v, want a *LeakError", err)
	}
	want := map[string]leakGroup{
		"endpoint=/api/import": {Count: 2, Verdict: classify.Leak, LabelSets: sets(2, "endpoint", "/api/import")},
	}
	if diff := cmp.Diff(want, leakGroups(le.Report)); diff != "" {
		t.Errorf("Find's leaked groups (-want +got):\n%s", diff)
	}
	VerifyNone(&ft, short, IgnoreLabel("endpoint", "/api/export"), ByLabel("endpoint"))
	if len(ft.errs) != 1 || !strings.Contains(ft.errs[0], "found 2 unexpected goroutines") || !strings.Contains(ft.errs[0], "{endpoint=/api/import}") {
		t.Errorf("VerifyNone with one label ignored: %q, want one failure for the 2 goroutines under endpoint=/api/import", ft.errs)
	}
}

// Check: the run's goroutines carry its label and the test's own; the
// options see both.
func TestCheckLabelOptions(t *testing.T) {
	for _, tc := range []struct {
		name        string
		opt         Option
		want, never []string // in the one failure, and never in it
	}{
		{"ignore", IgnoreLabel("endpoint", "/api/export"), []string{"left 2 goroutines that stayed"}, []string{"/api/export"}},
		{"by", ByLabel("endpoint"), []string{"left 5 goroutines", "{endpoint=/api/export}", "{endpoint=/api/import}"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &checkFake{name: "TestLabelled"}
			startCheck(f, []Option{short, tc.opt})
			run, err := ownLabels()
			if err != nil {
				t.Fatal(err)
			}
			// pprof.Do replaces the goroutine's labels with its context's:
			// the run's label is kept by starting from it.
			startLabelled(t, withLabels(run), export, import_)
			f.end()
			if len(f.errs) != 1 {
				t.Fatalf("%d failures, want 1: %q", len(f.errs), f.errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(f.errs[0], w) {
					t.Errorf("the failure does not say %q:\n%s", w, f.errs[0])
				}
			}
			for _, w := range tc.never {
				if strings.Contains(f.errs[0], w) {
					t.Errorf("the failure says %q:\n%s", w, f.errs[0])
				}
			}
		})
	}
}

// A Monitor's alert splits and ignores by label too, in its baseline and
// in the snapshot it compares with it.
func TestMonitorLabelOptions(t *testing.T) {
	m := newFakeMonitor(MonitorConfig{Threshold: 1, Options: []Option{IgnoreLabel("endpoint", "/api/export"), ByLabel("endpoint")}})
	var n atomic.Int64
	n.Store(10)
	m.numGoroutine = func() int { return int(n.Load()) }
	m.Start()
	defer m.Stop()
	startLabelled(t, context.Background(), export, import_, plain)
	n.Store(20)
	m.tick(t, time.Unix(1_700_000_000, 0))
	if len(m.alerts) != 1 || m.alerts[0].Report == nil {
		t.Fatalf("alerts %+v, want one with a report", m.alerts)
	}
	want := map[string]leakGroup{
		"endpoint=/api/export": {Count: 3, Verdict: classify.OK, Ignored: "ignored: label endpoint=/api/export", LabelSets: sets(3, "endpoint", "/api/export")},
		"endpoint=/api/import": {Count: 2, Verdict: classify.Leak, LabelSets: sets(2, "endpoint", "/api/import")},
		"":                     {Count: 1, Verdict: classify.Leak},
	}
	if diff := cmp.Diff(want, leakGroups(m.alerts[0].Report)); diff != "" {
		t.Errorf("groups of the alert's leaked stack (-want +got):\n%s", diff)
	}
}

func TestLabelOptionsNeedAKey(t *testing.T) {
	for _, opt := range []Option{IgnoreLabel("", "v"), ByLabel("")} {
		if _, err := Diff(t.Context(), func() {}, opt); err == nil || !strings.Contains(err.Error(), "needs a label key") {
			t.Errorf("Diff with an empty key: %v", err)
		}
	}
}

// labelHeadersEnv marks the child process of TestLabelOptionsWithHeaderLabels.
const labelHeadersEnv = "STACKDIFF_LABEL_OPTIONS_HEADERS"

// TestLabelOptionsWithHeaderLabels runs the label tests again where the
// runtime prints labels in the traceback headers (GODEBUG=tracebacklabels=1),
// so that they are read from there rather than from the goroutine profile.
func TestLabelOptionsWithHeaderLabels(t *testing.T) {
	if os.Getenv(labelHeadersEnv) != "" {
		t.Skip("in the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestDiffByLabel|TestDiffIgnoreLabel|TestFindAndVerifyNoneIgnoreLabel|TestCheckLabelOptions|TestMonitorLabelOptions|TestLabelHeaderMode)$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), labelHeadersEnv+"=1", "GODEBUG=tracebacklabels=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestLabelHeaderMode")) {
		t.Fatalf("%v:\n%s", err, out)
	}
}

// TestLabelHeaderMode, in the child, checks that the headers show labels.
func TestLabelHeaderMode(t *testing.T) {
	if os.Getenv(labelHeadersEnv) == "" {
		t.Skip("runs in the child of TestLabelOptionsWithHeaderLabels")
	}
	startLabelled(t, context.Background(), export)
	_, s, err := snapshot(0, "header")
	if err != nil {
		t.Fatal(err)
	}
	if !hasLabels(s) {
		t.Error("no traceback header shows labels under GODEBUG=tracebacklabels=1")
	}
}
