package parse_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/pprof/profile"

	"github.com/stackdiff/stackdiff/parse"
)

const states = "github.com/acme/ordersvc/internal/states"

// goroutine returns goroutine id of s, failing the test if it is missing.
func goroutine(t *testing.T, s *parse.Snapshot, id int64) parse.Goroutine {
	t.Helper()
	for _, g := range s.Goroutines() {
		if g.ID == id {
			return g
		}
	}
	t.Fatalf("%s: no goroutine %d", s.Name, id)
	return parse.Goroutine{}
}

// header is the part of a goroutine its header line gives.
type header struct {
	State       string
	WaitMinutes int
	Locked      bool
	Leaked      bool
	Durable     bool
	Bubble      int
	Labels      map[string]string
}

func headerOf(g parse.Goroutine) header {
	return header{g.State, g.WaitMinutes, g.Locked, g.Leaked, g.Durable, g.Bubble, g.Labels}
}

func TestHeaderDecorations(t *testing.T) {
	tests := []struct {
		file string
		id   int64
		want header
	}{
		{"generated/stack_long_blocked_minutes.txt", 40, header{State: "chan receive", WaitMinutes: 1, Locked: true}},
		{"generated/stack_long_blocked_minutes.txt", 1, header{State: "running"}},
		{"generated/goroutineleak_debug2.txt", 5, header{State: "chan send", Leaked: true}},
		{"generated/goroutineleak_debug2.txt", 23, header{State: "sync.WaitGroup.Wait", Leaked: true}},
		{"generated/goroutineleak_debug2.txt", 25, header{State: "chan receive"}},
		{"generated/goroutineleak_runtime_stack_after.txt", 5, header{State: "chan send", Leaked: true}},
		{"generated/synctest_bubble_runtime_stack.txt", 6, header{State: "chan receive", Durable: true, Bubble: 1}},
		{"generated/synctest_bubble_runtime_stack.txt", 4, header{State: "synctest.Run", Durable: true, Bubble: 1}},
		{"generated/synctest_bubble_runtime_stack.txt", 15, header{State: "select (no cases)", Durable: true, Bubble: 1}},
		{"generated/synctest_bubble_runtime_stack.txt", 16, header{State: "chan receive (nil chan)", Durable: true, Bubble: 1}},
		{"generated/synctest_bubble_runtime_stack.txt", 13, header{State: "sync.Mutex.Lock", Bubble: 1}},
		{"generated/synctest_bubble_runtime_stack.txt", 7, header{State: "running", Bubble: 1}},
		{"generated/synctest_bubble_runtime_stack.txt", 1, header{State: "chan receive"}},
		{"generated/stack_tracebacklabels.txt", 35, header{State: "chan receive",
			Labels: map[string]string{"handler": "checkout", "tenant": "acme"}}},
		{"generated/stack_tracebacklabels.txt", 36, header{State: "sleep",
			Labels: map[string]string{"handler": "checkout", "tenant": "acme"}}},
		{"generated/pprof_long_blocked_debug2.txt", 1, header{State: "running"}},
		{"public/panicparse_synthetic_longwait_locked.txt", 3, header{State: "chan send", WaitMinutes: 101, Locked: true}},
		{"public/gostackparse_lockedm.txt", 7, header{State: "running", Locked: true}},
		{"public/gostackparse_waitsince.txt", 22, header{State: "sleep", WaitMinutes: 1}},
	}
	for _, tc := range tests {
		s := readOne(t, tc.file)
		g := goroutine(t, s, tc.id)
		if diff := cmp.Diff(tc.want, headerOf(g)); diff != "" {
			t.Errorf("%s goroutine %d (-want +got):\n%s", tc.file, tc.id, diff)
		}
	}
}

func TestMixedStates(t *testing.T) {
	s := readOne(t, "generated/stack_mixed_states.txt")
	have := map[string]bool{}
	for _, g := range s.Groups {
		have[g.State] = true
	}
	for _, st := range []string{
		"running", "runnable", "chan send", "chan receive", "chan send (nil chan)",
		"chan receive (nil chan)", "select", "select (no cases)", "sleep",
		"sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.WaitGroup.Wait",
		"sync.Cond.Wait", "IO wait", "semacquire", "syscall",
	} {
		if !have[st] {
			t.Errorf("no group in state %q", st)
		}
	}
	for st := range have {
		if strings.Contains(st, ",") || strings.Contains(st, "minutes") || strings.Contains(st, "locked") {
			t.Errorf("state %q keeps a decoration", st)
		}
	}
	if g := goroutine(t, s, 37); !g.Locked || g.State != "chan receive" {
		t.Errorf("goroutine 37 = %q locked=%v, want chan receive, locked", g.State, g.Locked)
	}
}

func TestCreatedBy(t *testing.T) {
	s := readOne(t, "generated/stack_mixed_states.txt")
	g := goroutine(t, s, 21)
	want := &parse.Frame{Func: states + ".(*Broker).spawn", File: "/app/zoo/internal/states/states.go", Line: 118}
	if diff := cmp.Diff(want, g.CreatedBy); diff != "" {
		t.Errorf("created by (-want +got):\n%s", diff)
	}
	if g.ParentID != 1 {
		t.Errorf("ParentID = %d, want 1", g.ParentID)
	}
	for _, g := range s.Goroutines() {
		if g.CreatedBy != nil && strings.Contains(g.CreatedBy.Func, " ") {
			t.Errorf("goroutine %d: creator %q keeps text after the name", g.ID, g.CreatedBy.Func)
		}
	}
	// Before Go 1.21 there is no parent.
	old := goroutine(t, readOne(t, "public/goleak_testdata_http.go1.20.txt"), 24)
	if old.CreatedBy == nil || old.ParentID != 0 {
		t.Errorf("Go 1.20 goroutine: created by %v, parent %d; want a creator, no parent", old.CreatedBy, old.ParentID)
	}
	if g := goroutine(t, s, 1); g.CreatedBy != nil {
		t.Errorf("goroutine 1 created by %v", g.CreatedBy)
	}
}

// TestParentsDoNotSplitGroups: identical goroutines started by different
// parents are one group, each member keeping its parent.
func TestParentsDoNotSplitGroups(t *testing.T) {
	in := `goroutine 5 [chan send (leaked)]:
main.fetchWithTimeout.func1()
	/app/zoo/cmd/leaky/main.go:28 +0x74
created by main.fetchWithTimeout in goroutine 1
	/app/zoo/cmd/leaky/main.go:26 +0x9d

goroutine 19 [chan send (leaked)]:
main.fetchWithTimeout.func1()
	/app/zoo/cmd/leaky/main.go:28 +0x74
created by main.fetchWithTimeout in goroutine 7
	/app/zoo/cmd/leaky/main.go:26 +0x9d
`
	s, err := parse.Read(strings.NewReader(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 1 || s.Groups[0].Count != 2 {
		t.Fatalf("got %d groups, want one of 2", len(s.Groups))
	}
	var parents []int64
	for _, m := range s.Groups[0].Members {
		parents = append(parents, m.ParentID)
	}
	if diff := cmp.Diff([]int64{1, 7}, parents); diff != "" {
		t.Errorf("parents (-want +got):\n%s", diff)
	}
}

func TestAncestorsAreNotFrames(t *testing.T) {
	snaps, err := readAllFile("generated/stack_tracebackancestors.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].Count() != 5 {
		t.Fatalf("got %d snapshots, %d goroutines; want 1 snapshot of 5", len(snaps), total(snaps))
	}
	s := snaps[0]
	want := map[int64][]string{
		21: {"main.ancestors.func1"},
		22: {"main.ancestors.func1.1"},
		23: {"main.ancestors.func1.1.1"},
	}
	for id, funcs := range want {
		g := goroutine(t, s, id)
		if diff := cmp.Diff(funcs, funcNames(g.Frames)); diff != "" {
			t.Errorf("goroutine %d frames (-want +got):\n%s", id, diff)
		}
	}
	for _, g := range s.Goroutines() {
		for _, f := range g.Frames {
			if f.Func == "main.recurseSpawn" || g.ID != 1 && f.Func == "main.main" {
				t.Errorf("goroutine %d has ancestor frame %s", g.ID, f.Func)
			}
		}
	}
	if g := goroutine(t, s, 22); g.CreatedBy == nil || g.CreatedBy.Func != "main.ancestors.func1" || g.ParentID != 21 {
		t.Errorf("goroutine 22 created by %v in %d, want main.ancestors.func1 in 21", g.CreatedBy, g.ParentID)
	}
}

func funcNames(frames []parse.Frame) []string {
	var names []string
	for _, f := range frames {
		names = append(names, f.Func)
	}
	return names
}

func TestElided(t *testing.T) {
	s := readOne(t, "generated/stack_deep_recursion_frames_elided.txt")
	g := goroutine(t, s, 40)
	if g.Elided != 84 {
		t.Errorf("Elided = %d, want 84", g.Elided)
	}
	if n := len(g.Frames); n != 100 {
		t.Errorf("%d frames, want the 100 printed", n)
	}
	old := goroutine(t, readOne(t, "public/gostackparse_frameselided.txt"), 1)
	if old.Elided != -1 {
		t.Errorf("'...additional frames elided...': Elided = %d, want -1", old.Elided)
	}
}

func TestUnavailable(t *testing.T) {
	s := readOne(t, "generated/panic_gotraceback_all_go_run.txt")
	g := goroutine(t, s, 57)
	if !g.Unavailable || len(g.Frames) != 0 || g.State != "running" {
		t.Errorf("goroutine 57: unavailable=%v, %d frames, state %q; want unavailable, no frames, running",
			g.Unavailable, len(g.Frames), g.State)
	}
	if g.CreatedBy == nil || g.CreatedBy.Func != states+".(*Broker).Start" || g.ParentID != 1 {
		t.Errorf("goroutine 57 created by %v in %d", g.CreatedBy, g.ParentID)
	}
	n := 0
	for _, gr := range s.Groups {
		if gr.Unavailable {
			n += gr.Count
		}
	}
	if n != 4 {
		t.Errorf("%d goroutines without stack, want 4", n)
	}
}

// groupSummary is what must not change when a dump is rewritten (prefixed,
// CRLF): each group's key, count and member IDs.
type groupSummary struct {
	Key   string
	Count int
	IDs   []int64
}

func summarize(s *parse.Snapshot) []groupSummary {
	var out []groupSummary
	for _, g := range s.Groups {
		out = append(out, groupSummary{g.Key, g.Count, g.IDs()})
	}
	return out
}

func TestDerivedEqualOriginals(t *testing.T) {
	for _, tc := range []struct{ derived, original string }{
		{"generated/derived_journald_prefixed_sigquit.txt", "generated/sigquit_gotraceback_all.txt"},
		{"generated/derived_kubectl_timestamps_panic.txt", "generated/panic_nil_deref_default.txt"},
		{"generated/derived_crlf_stack_mixed_states.txt", "generated/stack_mixed_states.txt"},
	} {
		d, o := readOne(t, tc.derived), readOne(t, tc.original)
		if diff := cmp.Diff(summarize(o), summarize(d)); diff != "" {
			t.Errorf("%s differs from %s (-original +derived):\n%s", tc.derived, tc.original, diff)
		}
		// Not only the keys: the parsed frames too (no "\r" left in a file).
		if diff := cmp.Diff(o.Groups, d.Groups); diff != "" {
			t.Errorf("%s groups differ from %s (-original +derived):\n%s", tc.derived, tc.original, diff)
		}
	}
}

func TestFramesLeafFirst(t *testing.T) {
	s := readOne(t, "generated/stack_mixed_states.txt")
	g := goroutine(t, s, 38)
	want := []parse.Frame{
		{Func: states + ".(*Broker).Wait", File: "/app/zoo/internal/states/states.go", Line: 184},
		{Func: states + ".(*Broker).Start.func4", File: "/app/zoo/internal/states/states.go", Line: 103},
	}
	if diff := cmp.Diff(want, g.Frames); diff != "" {
		t.Errorf("goroutine 38 frames (-want +got):\n%s", diff)
	}
	// Generic functions keep the runtime's "[...]".
	if f := goroutine(t, s, 32).Frames[0]; f.Func != states+".Drain[...]" || f.Line != 197 {
		t.Errorf("goroutine 32 leaf = %+v", f)
	}
}

func TestGoleak(t *testing.T) {
	s := readOne(t, "generated/goleak_verifynone_test_failure.txt")
	if s.Format != parse.FormatGoleak {
		t.Errorf("format %q, want %q", s.Format, parse.FormatGoleak)
	}
	const store = "github.com/acme/ordersvc/internal/store"
	const file = "/app/zoo/internal/store/store.go"
	want := []parse.Goroutine{
		{
			ID: 20, State: "select",
			Frames:    []parse.Frame{{Func: store + ".(*Store).flusher", File: file, Line: 25}},
			CreatedBy: &parse.Frame{Func: store + ".New", File: file, Line: 17},
			ParentID:  19,
		},
		{
			ID: 21, State: "chan send",
			Frames:    []parse.Frame{{Func: store + ".(*Store).Watch.func1", File: file, Line: 47}},
			CreatedBy: &parse.Frame{Func: store + ".(*Store).Watch", File: file, Line: 45},
			ParentID:  19,
		},
	}
	if diff := cmp.Diff(want, s.Goroutines()); diff != "" {
		t.Errorf("goroutines (-want +got):\n%s", diff)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings: %q", s.Warnings)
	}
}

// TestGoleakVariants: goleak's list at column 0 (goleak.Find, VerifyTestMain),
// decorated states, a goroutine without creator, the runtime's ancestors
// sections and a log prefix.
func TestGoleakVariants(t *testing.T) {
	in := `goleak: Errors on successful test run: found unexpected goroutines:
[Goroutine 1 in state chan receive, 2 minutes, with main.main on top of the stack:
main.main()
	/app/main.go:10 +0x1d

 Goroutine 8 in state select (leaked), with main.worker on top of the stack:
main.worker(0x1)
	/app/main.go:20 +0x25
created by main.main in goroutine 1
	/app/main.go:9 +0x3b
 Goroutine 9 in state IO wait, with  on top of the stack:
	goroutine running on other thread; stack unavailable
]
exit status 1
`
	s, err := parse.Read(strings.NewReader(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	gs := s.Goroutines()
	if s.Format != parse.FormatGoleak || len(gs) != 3 {
		t.Fatalf("format %q, %d goroutines; want goleak, 3", s.Format, len(gs))
	}
	if g := gs[0]; g.State != "chan receive" || g.WaitMinutes != 2 || len(g.Frames) != 1 {
		t.Errorf("goroutine 1: %+v", g)
	}
	if g := gs[1]; g.State != "select" || !g.Leaked || g.ParentID != 1 {
		t.Errorf("goroutine 8: %+v", g)
	}
	if g := gs[2]; !g.Unavailable || g.State != "IO wait" {
		t.Errorf("goroutine 9: %+v", g)
	}

	// Same list behind kubectl timestamps and go test's indentation.
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
		if i > 0 && i < 13 {
			line = "        " + line
		}
		b.WriteString("2026-11-26T13:36:21.51234512" + string(rune('0'+i%10)) + "Z " + line + "\n")
	}
	s2, err := parse.Read(strings.NewReader(b.String()), "in")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Groups, s2.Groups); diff != "" {
		t.Errorf("prefixed list differs (-plain +prefixed):\n%s", diff)
	}

	// With GODEBUG=tracebackancestors, goleak stops at "created by": the
	// next entry must not be taken for an ancestor section.
	anc := `[Goroutine 8 in state select, with main.worker on top of the stack:
main.worker(0x1)
	/app/main.go:20 +0x25
created by main.main in goroutine 1
	/app/main.go:9 +0x3b
[originating from goroutine 1]:
main.main(...)
	/app/main.go:9 +0x3b
 Goroutine 9 in state select, with main.worker on top of the stack:
main.worker(0x2)
	/app/main.go:20 +0x25
created by main.main in goroutine 1
	/app/main.go:9 +0x3b
]
`
	s3, err := parse.Read(strings.NewReader(anc), "in")
	if err != nil {
		t.Fatal(err)
	}
	if len(s3.Groups) != 1 || s3.Groups[0].Count != 2 || len(s3.Groups[0].Frames) != 1 {
		t.Errorf("ancestors: got %d groups %+v, want one of 2 goroutines", len(s3.Groups), s3.Groups)
	}
}

func TestRace(t *testing.T) {
	s := readOne(t, "generated/race_report.txt")
	if s.Format != parse.FormatRace {
		t.Errorf("format %q, want %q", s.Format, parse.FormatRace)
	}
	const racy = "/app/zoo/cmd/racy/main.go"
	const maps = "/usr/local/go/src/internal/runtime/maps/runtime_faststr.go"
	creator := &parse.Frame{Func: "main.main", File: racy, Line: 25}
	want := []parse.Goroutine{
		{
			ID: 8, State: "running",
			Frames: []parse.Frame{
				{Func: "runtime.mapaccess1_faststr", File: maps, Line: 101},
				{Func: "main.(*stats).record", File: racy, Line: 16},
				{Func: "main.main.func1", File: racy, Line: 27},
			},
			CreatedBy: creator,
		},
		{
			ID: 9, State: "finished",
			Frames: []parse.Frame{
				{Func: "runtime.mapassign_faststr", File: maps, Line: 263},
				{Func: "main.(*stats).record", File: racy, Line: 16},
				{Func: "main.main.func1", File: racy, Line: 27},
			},
			CreatedBy: creator,
		},
	}
	if diff := cmp.Diff(want, s.Goroutines()); diff != "" {
		t.Errorf("goroutines (-want +got):\n%s", diff)
	}

	p := readOne(t, "public/panicparse_static_panic_race.txt")
	const pp = "/go/src/github.com/maruel/panicparse/cmd/panic/main.go"
	want = []parse.Goroutine{
		{
			ID: 7, State: "running",
			Frames: []parse.Frame{
				{Func: "main.panicDoRaceWrite", File: pp, Line: 132},
				{Func: "main.panicRace.func1", File: pp, Line: 151},
			},
			CreatedBy: &parse.Frame{Func: "main.panicRace", File: pp, Line: 150},
		},
		{
			ID: 8, State: "running",
			Frames: []parse.Frame{
				{Func: "main.panicDoRaceRead", File: pp, Line: 137},
				{Func: "main.panicRace.func2", File: pp, Line: 154},
			},
			CreatedBy: &parse.Frame{Func: "main.panicRace", File: pp, Line: 153},
		},
	}
	if diff := cmp.Diff(want, p.Goroutines()); diff != "" {
		t.Errorf("panicparse race (-want +got):\n%s", diff)
	}
}

// TestRaceVariants: the main goroutine, a heap block allocated by a third
// goroutine, a stack that could not be restored, a report cut short.
func TestRaceVariants(t *testing.T) {
	in := `==================
WARNING: DATA RACE
Write at 0x00c000012345 by main goroutine:
  main.main()
      /app/main.go:30 +0x1a

Previous read at 0x00c000012345 by goroutine 6:
  [failed to restore the stack]

Location is heap block of size 8 at 0x00c000012340 allocated by goroutine 5:
  main.newBox()
      /app/main.go:12 +0x2b
  main.main.func1()
      /app/main.go:22 +0x3c

Goroutine 6 (running) created at:
  main.main()
      /app/main.go:25 +0x4d

Goroutine 5 (finished) created at:
  main.main()
      /app/main.go:21 +0x5e
==================
some program output
==================
WARNING: DATA RACE
Read at 0x00c000099999 by goroutine 6:
  main.other()
      /app/main.go:40 +0x1a
`
	s, err := parse.Read(strings.NewReader(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	want := []parse.Goroutine{
		{ID: 1, State: "running", Frames: []parse.Frame{{Func: "main.main", File: "/app/main.go", Line: 30}}},
		{
			ID: 5, State: "finished",
			Frames: []parse.Frame{
				{Func: "main.newBox", File: "/app/main.go", Line: 12},
				{Func: "main.main.func1", File: "/app/main.go", Line: 22},
			},
			CreatedBy: &parse.Frame{Func: "main.main", File: "/app/main.go", Line: 21},
		},
		{ID: 6, State: "running", CreatedBy: &parse.Frame{Func: "main.main", File: "/app/main.go", Line: 25}},
	}
	if diff := cmp.Diff(want, s.Goroutines(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("goroutines (-want +got):\n%s", diff)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "truncated") {
		t.Errorf("warnings = %q, want one about the truncated report", s.Warnings)
	}
}

func TestProto(t *testing.T) {
	s := readOne(t, "generated/pprof_goroutine_debug0.pb.gz")
	if s.Format != parse.FormatProto {
		t.Errorf("format %q, want %q", s.Format, parse.FormatProto)
	}
	labeled := 0
	for _, g := range s.Groups {
		if g.Leaked || g.State != "" || len(g.Members) != 0 || g.CreatedBy != nil {
			t.Errorf("group %q: leaked=%v state=%q members=%d created by %v", g.Key, g.Leaked, g.State, len(g.Members), g.CreatedBy)
		}
		for _, ls := range g.LabelSets {
			if diff := cmp.Diff(map[string]string{"handler": "checkout", "tenant": "acme"}, ls.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			labeled += ls.Count
		}
	}
	if labeled != 2 {
		t.Errorf("%d labeled goroutines, want 2", labeled)
	}
	// Runtime frames are kept, leaf first; inlined calls are expanded,
	// innermost first.
	g := findGroup(t, s, states+".(*Broker).Start.func4")
	want := []string{
		"runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1",
		states + ".(*Broker).Wait", states + ".(*Broker).Start.func4",
	}
	if diff := cmp.Diff(want, funcNames(g.Frames)); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	if f := g.Frames[3]; f.File != "/app/zoo/internal/states/states.go" || f.Line != 184 {
		t.Errorf("inlined frame = %+v, want states.go:184", f)
	}

	leak := readOne(t, "generated/goroutineleak_debug0.pb.gz")
	for _, g := range leak.Groups {
		if !g.Leaked {
			t.Errorf("goroutineleak profile group %q not leaked", g.Key)
		}
	}
	g = findGroup(t, leak, "main.lockForever.func1")
	want = []string{
		"runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1",
		"internal/sync.runtime_SemacquireMutex", "internal/sync.(*Mutex).lockSlow",
		"internal/sync.(*Mutex).Lock", "sync.(*Mutex).Lock", "main.lockForever.func1",
	}
	if diff := cmp.Diff(want, funcNames(g.Frames)); diff != "" {
		t.Errorf("leak frames (-want +got):\n%s", diff)
	}
}

// findGroup returns the group whose frames include fn.
func findGroup(t *testing.T, s *parse.Snapshot, fn string) *parse.Group {
	t.Helper()
	for _, g := range s.Groups {
		for _, f := range g.Frames {
			if f.Func == fn {
				return g
			}
		}
	}
	t.Fatalf("%s: no group with %s", s.Name, fn)
	return nil
}

// TestProtoUncompressed: a protobuf profile that is not gzipped.
func TestProtoUncompressed(t *testing.T) {
	raw := gunzip(t, readTestdata(t, "generated/pprof_goroutine_debug0.pb.gz"))
	s, err := parse.Read(bytes.NewReader(raw), "raw")
	if err != nil {
		t.Fatal(err)
	}
	z := readOne(t, "generated/pprof_goroutine_debug0.pb.gz")
	if diff := cmp.Diff(z.Groups, s.Groups); diff != "" {
		t.Errorf("uncompressed differs from gzipped (-gz +raw):\n%s", diff)
	}
}

// TestProtoBuilt: profiles written with the pprof library: label sets
// summed per group, unsymbolized locations, and profiles of something else
// than goroutines.
func TestProtoBuilt(t *testing.T) {
	fn := &profile.Function{ID: 1, Name: "main.worker", Filename: "/app/main.go"}
	park := &profile.Function{ID: 2, Name: "runtime.gopark", Filename: "/go/src/runtime/proc.go"}
	locs := []*profile.Location{
		{ID: 1, Address: 0x1000, Line: []profile.Line{{Function: park, Line: 462}}},
		{ID: 2, Address: 0x2000, Line: []profile.Line{{Function: fn, Line: 30}}},
		{ID: 3, Address: 0x3abc},
	}
	build := func(typ string) []byte {
		p := &profile.Profile{
			SampleType: []*profile.ValueType{{Type: typ, Unit: "count"}},
			PeriodType: &profile.ValueType{Type: typ, Unit: "count"},
			Period:     1,
			Function:   []*profile.Function{fn, park},
			Location:   locs,
		}
		for i := range 300 {
			s := &profile.Sample{Location: locs[:2], Value: []int64{2}}
			if i < 200 {
				s.Label = map[string][]string{"req": {strconv.Itoa(i % 2)}}
			}
			p.Sample = append(p.Sample, s)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{locs[2]}, Value: []int64{5}})
		var buf bytes.Buffer
		if err := p.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	s, err := parse.Read(bytes.NewReader(build("goroutine")), "built")
	if err != nil {
		t.Fatal(err)
	}
	if s.Count() != 605 || len(s.Groups) != 2 {
		t.Fatalf("%d goroutines in %d groups, want 605 in 2", s.Count(), len(s.Groups))
	}
	g := s.Groups[0]
	want := []parse.LabelSet{
		{Labels: map[string]string{"req": "0"}, Count: 200},
		{Labels: map[string]string{"req": "1"}, Count: 200},
	}
	if diff := cmp.Diff(want, g.LabelSets); diff != "" {
		t.Errorf("label sets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0x3abc"}, funcNames(s.Groups[1].Frames)); diff != "" {
		t.Errorf("unsymbolized frames (-want +got):\n%s", diff)
	}

	leak, err := parse.Read(bytes.NewReader(build("goroutineleak")), "built")
	if err != nil || !leak.Groups[0].Leaked {
		t.Errorf("goroutineleak profile: %v, leaked=%v", err, err == nil && leak.Groups[0].Leaked)
	}
	if _, err := parse.Read(bytes.NewReader(build("samples")), "cpu"); !errors.Is(err, parse.ErrNoDump) {
		t.Errorf("profile of samples: err %v, want ErrNoDump", err)
	}
}

// TestPanicparsePanic: panicparse v2.5.0 panics on an escaped function name
// without a dot (found by FuzzRead); the stack is then read without it.
func TestPanicparsePanic(t *testing.T) {
	for _, in := range []string{
		"goroutine 1 [running]:\n%000()\n\t/a.go:1 +0x1\n",
		"[Goroutine 1 in state running, with %000 on top of the stack:\n%000()\n\t/a.go:1 +0x1\n]\n",
	} {
		s, err := parse.Read(strings.NewReader(in), "in")
		if err != nil {
			t.Fatal(err)
		}
		want := []parse.Frame{{Func: "%000", File: "/a.go", Line: 1}}
		if diff := cmp.Diff(want, s.Groups[0].Frames); diff != "" {
			t.Errorf("%q frames (-want +got):\n%s", in, diff)
		}
	}
}
