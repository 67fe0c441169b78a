package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// TestFlagHints: the text names --all and --frames only when asked to
// (the CLI), never for a library's report.
func TestFlagHints(t *testing.T) {
	frames := []parse.Frame{{Func: "main.a"}, {Func: "main.b"}, {Func: "main.c"}}
	r := &classify.Report{
		Inputs: []classify.Input{{Name: "a"}, {Name: "b"}},
		Groups: []*classify.Group{
			{Label: classify.ChanSend, Verdict: classify.Leak, Counts: []int{0, 1}, Delta: 1, Frames: frames},
			{Label: classify.Running, Verdict: classify.OK, Counts: []int{1, 1}, Frames: frames},
		},
	}
	for _, hints := range []bool{false, true} {
		var b bytes.Buffer
		if err := Text(&b, r, Options{Frames: 1, FlagHints: hints}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, s := range []string{"2 more frames", "1 unchanged ok group not shown"} {
			if !strings.Contains(out, s) {
				t.Errorf("FlagHints %v: output lacks %q:\n%s", hints, s, out)
			}
		}
		for _, flag := range []string{"(--frames)", "(--all shows them)"} {
			if strings.Contains(out, flag) != hints {
				t.Errorf("FlagHints %v: %q shown = %v:\n%s", hints, flag, !hints, out)
			}
		}
	}
}

// TestOriginShown: a leak or suspect group of a dump with ancestry says in
// the text which tests or functions its goroutines descend from.
func TestOriginShown(t *testing.T) {
	r := &classify.Report{
		Inputs: []classify.Input{{Name: "a"}},
		Groups: []*classify.Group{{
			Label: classify.ChanSend, Verdict: classify.Suspect, Counts: []int{5},
			Origins: []classify.Origin{
				{Test: "TestFetchAll", Func: "example.com/app.TestFetchAll", Count: 3},
				{Func: "example.com/app/worker.start", Count: 2},
			},
		}},
	}
	var b bytes.Buffer
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "    origin:   TestFetchAll (3), worker.start (2)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
}

// TestSiteCellsTellAlikeRowsApart: groups with one state, site and
// creator differ further down: each row names its caller where its stack
// parts from the others', or says it starts at the site; a row like no
// other is left as it was.
func TestSiteCellsTellAlikeRowsApart(t *testing.T) {
	site := parse.Frame{Func: "main.wait", File: "main.go", Line: 10}
	stack := func(callers ...string) []parse.Frame {
		fs := []parse.Frame{site}
		for i, c := range callers {
			fs = append(fs, parse.Frame{Func: c, File: "main.go", Line: 20 + i})
		}
		return fs
	}
	group := func(frames []parse.Frame) *classify.Group {
		return &classify.Group{State: "chan receive", Site: &site, Frames: frames}
	}
	other := &classify.Group{State: "select", Site: &parse.Frame{Func: "main.other"}, Frames: []parse.Frame{{Func: "main.other"}}}
	got := siteCells([]*classify.Group{
		group(stack("main.a", "main.run")),
		group(stack("main.b", "main.run")),
		group(stack()),
		other,
	})
	want := []string{
		"main.wait main.go:10 via main.a main.go:20",
		"main.wait main.go:10 via main.b main.go:20",
		"main.wait main.go:10 (its start)",
		"main.other",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("siteCells (-want +got):\n%s", diff)
	}
}
