package classify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// read reads a dump of the corpus, which parse's testdata keeps (once, for
// every package): its generated dumps, or the public ones.
func read(t *testing.T, name string) *parse.Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "parse", "testdata", "generated", name))
	if os.IsNotExist(err) {
		f, err = os.Open(filepath.Join("..", "parse", "testdata", "public", name))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := parse.Read(f, name)
	if err != nil {
		t.Fatalf("parse.Read(%s): %v", name, err)
	}
	return s
}

// labelsBySite returns "site function -> label" for every group.
func labelsBySite(r *classify.Report) map[string]classify.Label {
	m := map[string]classify.Label{}
	for _, g := range r.Groups {
		site := "<none>"
		if g.Site != nil {
			site = g.Site.Func
		}
		m[site] = g.Label
	}
	return m
}

func TestLabelsOnRealDumps(t *testing.T) {
	tests := []struct {
		file   string
		want   map[string]classify.Label // site function -> label, for the groups named
		reason string
	}{
		{
			file: "goleak_testdata_http.txt",
			want: map[string]classify.Label{
				"net/http.(*persistConn).readLoop":  classify.HTTPBodyNotClosed,
				"net/http.(*persistConn).writeLoop": classify.HTTPClientConn,
				"net/http.(*conn).serve":            classify.HTTPServerConn,
				"net/http.Serve":                    classify.NetListener,
				"main.getStackBuffer":               classify.Running,
			},
			reason: "an HTTP client with a response body left open against its own server",
		},
		{
			file: "goleak_testdata_http.go1.20.txt",
			want: map[string]classify.Label{
				"net/http.(*persistConn).readLoop":  classify.HTTPBodyNotClosed,
				"net/http.(*persistConn).writeLoop": classify.HTTPClientConn,
			},
			reason: "the same program under Go 1.20: created-by lines without a parent ID",
		},
		{
			file: "stack_mixed_states.txt",
			want: map[string]classify.Label{
				"github.com/acme/ordersvc/internal/states.(*Broker).Submit":        classify.ChanSend,
				"github.com/acme/ordersvc/internal/states.waitNil":                 classify.NilChan,
				"github.com/acme/ordersvc/internal/states.sendNil":                 classify.NilChan,
				"github.com/acme/ordersvc/internal/states.idle":                    classify.SelectNoCases,
				"github.com/acme/ordersvc/internal/states.(*Broker).dispatch":      classify.Select,
				"github.com/acme/ordersvc/internal/states.(*Broker).persist":       classify.MutexLock,
				"github.com/acme/ordersvc/internal/states.(*Broker).readConfig":    classify.MutexLock,
				"github.com/acme/ordersvc/internal/states.(*Broker).awaitShutdown": classify.WaitGroup,
				"github.com/acme/ordersvc/internal/states.(*Broker).waitCond":      classify.CondWait,
				"github.com/acme/ordersvc/internal/states.serve":                   classify.NetListener,
				"github.com/acme/ordersvc/internal/states.rawRead":                 classify.Syscall,
				"github.com/acme/ordersvc/internal/states.spin":                    classify.Running,
				"github.com/acme/ordersvc/internal/states.(*Broker).consume":       classify.ChanReceive,
			},
			reason: "one goroutine in every common wait state (Go 1.26 spellings)",
		},
		{
			file: "sigquit_gotraceback_all.txt",
			want: map[string]classify.Label{
				"runtime.forcegchelper": classify.System,
				"runtime.runFinalizers": classify.System,
				"github.com/acme/ordersvc/internal/states.(*Broker).Submit": classify.ChanSend,
				"github.com/acme/ordersvc/internal/states.handleConn":       classify.IOWaitNet,
			},
			reason: "a SIGQUIT dump shows the runtime's own goroutines, and runtime frames above the user's",
		},
		{
			file: "go_test_timeout_panic.txt",
			want: map[string]classify.Label{
				"main.main": classify.TestRunner,
				"github.com/acme/ordersvc/internal/store.(*Store).Put": classify.ChanReceive,
			},
			reason: "go test's own goroutines are not the code under test",
		},
		{
			file: "pprof_goroutine_debug1.txt",
			want: map[string]classify.Label{
				"github.com/acme/ordersvc/internal/states.(*Broker).Submit": classify.Other,
			},
			reason: "debug=1 has neither states nor runtime frames: the label cannot be known",
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			r := classify.Compare([]*parse.Snapshot{read(t, tc.file)}, nil)
			got := labelsBySite(r)
			for site := range got {
				if _, ok := tc.want[site]; !ok {
					delete(got, site)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("labels by site mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
}

// TestVerdictRules checks the postmortem and leak-profile rules on real dumps.
func TestVerdictRules(t *testing.T) {
	t.Run("gc-proven", func(t *testing.T) {
		r := classify.Compare([]*parse.Snapshot{read(t, "goroutineleak_debug2.txt")}, nil)
		if got, want := r.Summary.Leaked, 8; got != want {
			t.Errorf("goroutineleak profile: Summary.Leaked = %d, want %d (the runtime marked 8 goroutines (leaked))", got, want)
		}
	})
	t.Run("long-wait", func(t *testing.T) {
		r := classify.Compare([]*parse.Snapshot{read(t, "stack_long_blocked_minutes.txt")}, &classify.Options{WaitThreshold: 1})
		for _, g := range r.Groups {
			blocked := g.Class != classify.Benign
			if blocked && g.WaitMinutes[1] >= 1 && g.Verdict == classify.OK {
				t.Errorf("group %s blocked %d minutes with threshold 1: verdict ok, want suspect", g.Label, g.WaitMinutes[1])
			}
		}
	})
	t.Run("ignore", func(t *testing.T) {
		opts := &classify.Options{Ignore: []classify.Ignore{classify.IgnoreAnyFunction("github.com/acme/ordersvc/internal/states.waitNil")}}
		r := classify.Compare([]*parse.Snapshot{read(t, "stack_mixed_states.txt")}, opts)
		for _, g := range r.Groups {
			if g.Site != nil && g.Site.Func == "github.com/acme/ordersvc/internal/states.waitNil" && g.Verdict != classify.OK {
				t.Errorf("ignored group has verdict %s, want ok", g.Verdict)
			}
		}
	})
}

// TestCrossFormat compares a debug=1 and a debug=2 profile of one process:
// they must match group for group, so nothing looks new.
func TestCrossFormat(t *testing.T) {
	r := classify.Compare([]*parse.Snapshot{read(t, "pprof_goroutine_debug1.txt"), read(t, "pprof_goroutine_debug2.txt")}, nil)
	for _, g := range r.Groups {
		// The goroutine writing the profiles was at a different line for each.
		writer := g.Site != nil && g.Site.Func == "main.writeProfile"
		if g.Delta != 0 && g.Label != classify.Running && !writer {
			t.Errorf("group %s (%v) changed %v between two formats of one moment", g.Label, g.Site, g.Counts)
		}
	}
	if r.SameProcess {
		t.Error("SameProcess = true, but debug=1 has no goroutine IDs")
	}
}

// TestSeries checks that growth in every step of a series is evidence.
func TestSeries(t *testing.T) {
	s := read(t, "stack_mixed_states.txt")
	r := classify.Compare([]*parse.Snapshot{s, s, s}, &classify.Options{Match: classify.MatchStack})
	if r.Summary.LeakGroups != 0 {
		t.Errorf("three identical snapshots: %d leak groups, want 0", r.Summary.LeakGroups)
	}
	for _, g := range r.Groups {
		if len(g.Counts) != 3 {
			t.Fatalf("Counts = %v, want one per snapshot", g.Counts)
		}
	}
}

// TestRuntimeGoroutinesNotNewAcrossFormats: runtime.Stack hides the
// runtime's goroutines, a SIGQUIT dump shows them; a diff of the two counts
// only the scenario's leaked goroutines as new.
func TestRuntimeGoroutinesNotNewAcrossFormats(t *testing.T) {
	before := readSample(t, "blocked-forever", "before.txt")
	after := readSample(t, "blocked-forever", "sigquit.txt")
	r := classify.Compare([]*parse.Snapshot{before, after}, nil)
	if r.Summary.New != 10 {
		t.Errorf("%d new goroutines, want the 10 leaked ones", r.Summary.New)
	}
	system := 0
	for _, g := range r.Groups {
		if g.Label == classify.System {
			system += g.Counts[1]
			if g.New != 0 {
				t.Errorf("runtime group %s: %d new", g.Site.Func, g.New)
			}
		}
	}
	if system == 0 {
		t.Fatal("the SIGQUIT dump shows no runtime goroutine: the test proves nothing")
	}
}

// TestReplacedIsNotALeak: in one process, eight workers replaced by eight
// others are new by ID, but nothing accumulates: a suspect, not a leak.
func TestReplacedIsNotALeak(t *testing.T) {
	text := func(ids ...int) *parse.Snapshot {
		var b strings.Builder
		b.WriteString("goroutine 1 [running]:\nmain.main()\n\tapp/main.go:5 +0x10\n\n")
		for _, id := range ids {
			fmt.Fprintf(&b, "goroutine %d [chan receive]:\nexample.com/app.worker()\n\tapp/worker.go:20 +0x1d\ncreated by example.com/app.start in goroutine 1\n\tapp/start.go:9 +0x2f\n\n", id)
		}
		s, err := parse.Read(strings.NewReader(b.String()), "dump")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	r := classify.Compare([]*parse.Snapshot{text(10, 11, 12, 13), text(20, 21, 22, 23)}, nil)
	if !r.SameProcess {
		t.Fatal("not matched as one process: the test proves nothing")
	}
	for _, g := range r.Groups {
		if g.Label == classify.ChanReceive && (g.Verdict != classify.Suspect || g.New != 4) {
			t.Errorf("replaced workers: %s with %d new, evidence %q; want suspect, 4 new", g.Verdict, g.New, g.Evidence)
		}
	}
}

// TestMatchIDWithoutIDs: MatchID on profiles, which have no goroutine IDs,
// matches by stack as MatchAuto does: "by ID" it called every goroutine
// old (224 new goroutines of etcd under load became 0).
func TestMatchIDWithoutIDs(t *testing.T) {
	var snaps []*parse.Snapshot
	for _, name := range []string{"idle.pb.gz", "load.pb.gz"} {
		f, err := os.Open(filepath.Join("..", "samples", "servers", "etcd", name))
		if err != nil {
			t.Fatal(err)
		}
		s, err := parse.Read(f, name)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	auto := classify.Compare(snaps, nil).Summary
	byID := classify.Compare(snaps, &classify.Options{Match: classify.MatchID}).Summary
	if diff := cmp.Diff(auto, byID); auto.New == 0 || diff != "" {
		t.Errorf("MatchID summary differs from MatchAuto's (%d new) (-auto +id):\n%s", auto.New, diff)
	}
}
