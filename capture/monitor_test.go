package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
	"go.uber.org/goleak"
)

// fakeMonitor drives a Monitor by hand: tick runs one check at a given
// time and returns once it is done, so tests neither sleep nor race the
// monitor's goroutine.
type fakeMonitor struct {
	*Monitor
	ticks         chan time.Time
	checked       chan struct{}
	tickerStopped atomic.Bool
	alerts        []Alert // appended on the monitor goroutine, read after tick
}

func newFakeMonitor(cfg MonitorConfig) *fakeMonitor {
	f := &fakeMonitor{ticks: make(chan time.Time), checked: make(chan struct{})}
	onAlert := cfg.OnAlert
	cfg.OnAlert = func(a Alert) {
		f.alerts = append(f.alerts, a)
		if onAlert != nil {
			onAlert(a)
		}
	}
	f.Monitor = NewMonitor(cfg)
	f.newTicker = func(d time.Duration) (<-chan time.Time, func()) {
		return f.ticks, func() { f.tickerStopped.Store(true) }
	}
	f.Monitor.checked = func() { f.checked <- struct{}{} }
	return f
}

func (f *fakeMonitor) tick(t *testing.T, at time.Time) {
	t.Helper()
	timeout := time.NewTimer(5 * time.Second)
	defer timeout.Stop()
	select {
	case f.ticks <- at:
	case <-timeout.C:
		t.Fatal("monitor took no tick: not running?")
	}
	<-f.checked
}

// syncBuffer is a Writer the monitor goroutine writes while the test
// goroutine may read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestMonitorBurstAlertsOnce(t *testing.T) {
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dumps") // created on first alert
	var out syncBuffer
	m := newFakeMonitor(MonitorConfig{Period: time.Second, Threshold: 10, MinInterval: time.Minute, Writer: &out, Dir: dir})
	m.Start()
	defer m.Stop()
	// The count at Start, give or take a goroutine the runtime or an
	// earlier test's cleanup starts or ends at that moment.
	base := m.Baseline()
	if n := runtime.NumGoroutine(); base < n-2 || base > n+2 {
		t.Fatalf("baseline %d, want the count at Start, %d", base, n)
	}

	t0 := time.Unix(1_700_000_000, 0)
	m.tick(t, t0) // nothing new: no alert
	l := StartLeaks(20)
	defer l.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The burst lasts: four checks within MinInterval, one alert.
	for _, d := range []time.Duration{1, 2, 30, 59} {
		m.tick(t, t0.Add(d*time.Second))
	}
	if len(m.alerts) != 1 {
		t.Fatalf("%d alerts for one burst, want 1", len(m.alerts))
	}
	a := m.alerts[0]
	if a.Err != nil {
		t.Fatalf("alert error: %v", a.Err)
	}
	if !a.Time.Equal(t0.Add(time.Second)) || a.Baseline != base || a.Count < base+20 {
		t.Errorf("alert at %v, baseline %d, count %d; want %v, %d, >= %d", a.Time, a.Baseline, a.Count, t0.Add(time.Second), base, base+20)
	}
	leaks := a.Report.Leaks()
	if len(leaks) != 1 || leaks[0].Label != classify.ChanSend || leaks[0].New != 20 {
		t.Fatalf("alert report leaks = %+v, want one chan-send group of 20 new", leaks)
	}

	// The dump file holds the marker line, then the raw dump, whole.
	want := filepath.Join(dir, "stackdiff-1700000001000000000-1.txt")
	if a.File != want {
		t.Errorf("dump file %q, want %q", a.File, want)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, append(dumpHeader("stackdiff-1700000001000000000-1.txt"), a.Dump...)) {
		t.Error("dump file is not the marker line and Alert.Dump")
	}
	s, err := parse.Read(bytes.NewReader(data), want)
	if err != nil || countFunc(s, BlockSendFunc) != 20 {
		t.Errorf("dump file: %d blocked senders, error %v; want 20", countFunc(s, BlockSendFunc), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("dump dir holds %d entries, want 1 (no temporary files left)", len(entries))
	}

	// The writer got the report and nothing else.
	var rendered bytes.Buffer
	if err := report.Text(&rendered, a.Report, report.Options{Frames: 8}); err != nil {
		t.Fatal(err)
	}
	if out.String() != rendered.String() {
		t.Errorf("writer got:\n%s\nwant the report alone:\n%s", out.String(), rendered.String())
	}

	// Past MinInterval the lasting burst alerts again.
	m.tick(t, t0.Add(61*time.Second))
	if len(m.alerts) != 2 {
		t.Errorf("%d alerts after MinInterval, want 2", len(m.alerts))
	}
}

func TestMonitorBaselineOnlyMovesDown(t *testing.T) {
	var count atomic.Int64
	count.Store(50)
	m := newFakeMonitor(MonitorConfig{Threshold: 20})
	m.numGoroutine = func() int { return int(count.Load()) }

	early := StartLeaks(3) // in the first baseline snapshot, gone later
	defer early.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.Start()
	defer m.Stop()
	t0 := time.Unix(1_700_000_000, 0)
	steps := []struct {
		count, baseline int
	}{
		{60, 50}, // up, under the threshold: the baseline stays
		{70, 50}, // at the threshold exactly: still no alert
		{40, 40}, // down: the baseline follows
		{45, 40}, // up again: it does not
		{39, 39},
	}
	for i, st := range steps {
		if i == 2 {
			// Make the new low real, so the baseline snapshot taken with
			// it can be told from the first.
			early.Release()
			if err := Settle(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		count.Store(int64(st.count))
		m.tick(t, t0.Add(time.Duration(i)*time.Second))
		if got := m.Baseline(); got != st.baseline {
			t.Errorf("step %d: count %d, baseline %d, want %d", i, st.count, got, st.baseline)
		}
	}
	if len(m.alerts) != 0 {
		t.Fatalf("%d alerts under the threshold", len(m.alerts))
	}

	later := StartLeaks(5)
	defer later.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	count.Store(39 + 21)
	m.tick(t, t0.Add(time.Minute))
	if len(m.alerts) != 1 {
		t.Fatalf("%d alerts over the threshold, want 1", len(m.alerts))
	}
	a := m.alerts[0]
	if a.Baseline != 39 || a.Count != 60 {
		t.Errorf("alert baseline %d, count %d; want 39, 60", a.Baseline, a.Count)
	}
	// Diffed against the replaced baseline snapshot, where the early
	// senders were already gone: 0 → 5, not 3 → 5.
	leaks := a.Report.Leaks()
	if len(leaks) != 1 || !slices.Equal(leaks[0].Counts, []int{0, 5}) || leaks[0].New != 5 {
		t.Errorf("alert leaks = %+v, want one group 0 → 5", leaks)
	}
}

func TestMonitorStopLeavesNothing(t *testing.T) {
	unstarted := newFakeMonitor(MonitorConfig{})
	unstarted.Stop() // before Start: nothing to wait for
	unstarted.Start()
	if unstarted.Baseline() != 0 {
		t.Error("a stopped monitor started")
	}

	m := newFakeMonitor(MonitorConfig{})
	m.Start()
	m.Start() // already started: no second goroutine
	m.tick(t, time.Now())
	m.Stop()
	m.Stop()  // idempotent
	m.Start() // stopped: not restarted
	if !m.tickerStopped.Load() {
		t.Error("Stop left the ticker running")
	}
	goleak.VerifyNone(t)

	// A real ticker, stopped from the alert callback itself: Stop cannot
	// wait for its own goroutine, and must not deadlock.
	var alerted atomic.Bool
	var real *Monitor
	real = NewMonitor(MonitorConfig{Period: time.Millisecond, Threshold: 1, OnAlert: func(Alert) {
		alerted.Store(true)
		real.Stop()
	}})
	var n atomic.Int64
	n.Store(1)
	real.numGoroutine = func() int { return int(n.Load()) }
	real.Start()
	n.Store(1000)
	for start := time.Now(); !alerted.Load(); time.Sleep(time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatal("no alert from a monitor far over its threshold")
		}
	}
	real.Stop()
	goleak.VerifyNone(t)
}

func TestMonitorDefaults(t *testing.T) {
	m := NewMonitor(MonitorConfig{})
	if m.cfg.Period != 10*time.Second || m.cfg.Threshold != 100 || m.cfg.MinInterval != time.Minute {
		t.Errorf("defaults = %v, %d, %v", m.cfg.Period, m.cfg.Threshold, m.cfg.MinInterval)
	}
}

// TestMonitorKeepsNewestDumps: a leak that lasts alerts once per
// MinInterval forever; the dump directory keeps only the newest Keep files.
func TestMonitorKeepsNewestDumps(t *testing.T) {
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m := newFakeMonitor(MonitorConfig{Period: time.Second, Threshold: 5, MinInterval: time.Minute, Dir: dir, Keep: 2})
	m.Start()
	defer m.Stop()
	l := StartLeaks(10)
	defer l.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 5 {
		m.tick(t, t0.Add(time.Duration(i)*2*time.Minute))
	}
	if len(m.alerts) != 5 {
		t.Fatalf("%d alerts, want 5 (one per MinInterval)", len(m.alerts))
	}
	for _, a := range m.alerts {
		if a.Err != nil {
			t.Errorf("alert at %v: %v", a.Time, a.Err)
		}
	}
	var got []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"stackdiff-1700000360000000000-4.txt", "stackdiff-1700000480000000000-5.txt"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dump directory (-want +got):\n%s", diff)
	}
}

// TestMonitorLeavesUserFiles: with Keep 1, the monitor prunes its own
// dumps and leaves the user's stackdiff-notes.txt (and the like) alone.
func TestMonitorLeavesUserFiles(t *testing.T) {
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	notes := []byte("stackdiff-notes: the user's own file\n")
	for _, name := range []string{"stackdiff-notes.txt", "stackdiff-1600000000000000000-1.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), notes, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m := newFakeMonitor(MonitorConfig{Period: time.Second, Threshold: 5, MinInterval: time.Minute, Dir: dir, Keep: 1})
	m.Start()
	defer m.Stop()
	l := StartLeaks(10)
	defer l.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 3 {
		m.tick(t, t0.Add(time.Duration(i)*2*time.Minute))
	}
	for _, a := range m.alerts {
		if a.Err != nil {
			t.Errorf("alert at %v: %v", a.Time, a.Err)
		}
	}
	var got []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"stackdiff-1600000000000000000-1.txt", "stackdiff-1700000240000000000-3.txt", "stackdiff-notes.txt"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dump directory (-want +got):\n%s", diff)
	}
	for _, name := range []string{"stackdiff-notes.txt", "stackdiff-1600000000000000000-1.txt"} {
		if data, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(data) != string(notes) {
			t.Errorf("the user's %s: %q, %v; want it unchanged", name, data, err)
		}
	}
}
