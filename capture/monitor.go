package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
)

// MonitorConfig configures a [Monitor]. Zero fields take the defaults
// given on each.
type MonitorConfig struct {
	// Period is how often the goroutine count is checked; 0 means 10s.
	// A check costs one runtime.NumGoroutine call; only an alert or a new
	// low takes a dump, which stops the world.
	Period time.Duration
	// Threshold is how many goroutines above the baseline raise an alert
	// (the count must exceed baseline+Threshold); 0 means 100.
	Threshold int
	// MinInterval is the least time between two alerts, so that a lasting
	// leak gives one alert, not one per period; 0 means 1 minute.
	MinInterval time.Duration
	// OnAlert, if set, is called with every alert, on the monitor's
	// goroutine: checks wait while it runs, and so does Stop.
	OnAlert func(Alert)
	// Writer, if set, receives the text report of each alert's diff (the
	// report alone, nothing added).
	Writer io.Writer
	// Dir, if set, receives the raw dump of each alert in a file named
	// stackdiff-<unix-nanos>-<seq>.txt (seq counts this monitor's dumps
	// from 1), after a first line "stackdiff capture dump <its name>";
	// it is created if missing. Only the newest Keep of those files are
	// kept.
	Dir string
	// Keep is how many of its dumps the monitor keeps in Dir: after each
	// write the oldest beyond Keep are removed. 0 means [DefaultKeep].
	// Only files with both the name shape and the first line above are
	// ever removed; the user's files in Dir are left alone.
	Keep int
	// Options filter the reports: the name options give the groups they
	// match the verdict ok, IgnoreCurrent drops its goroutines.
	Options []Option
}

// Alert is what a [Monitor] found when the goroutine count went over its
// threshold.
type Alert struct {
	Time     time.Time // when the check ran
	Baseline int       // the baseline goroutine count
	Count    int       // the goroutine count that crossed the threshold
	// Report compares the baseline snapshot with one taken at Time (both
	// without the monitor's own goroutine); nil if the dump could not be
	// parsed (see Err).
	Report *classify.Report
	Dump   []byte // the raw dump taken at Time (runtime.Stack format)
	// File is the dump file written to MonitorConfig.Dir; "" without Dir
	// or when writing failed.
	File string
	// Err joins what went wrong: the dump could not be parsed, the file or
	// the report could not be written. The alert is raised anyway.
	Err error
}

// Monitor watches the goroutine count of this process and raises an
// [Alert] with a diff against a baseline when it grows past a threshold:
// the "goroutine monitor" many services hand-roll, without its usual
// faults (a ticker never stopped, a goroutine never ended, an alert every
// period, a baseline that creeps up with the leak).
//
// The baseline is the count, and a snapshot, taken at Start. It only
// moves down: a check that finds fewer goroutines replaces both, so that
// the next alert diffs against the quietest state seen; a count that grows
// never raises it, or a slow leak would hide itself.
type Monitor struct {
	cfg  MonitorConfig
	opts *opts

	// Hooks for tests: time and the goroutine count, which tests drive by
	// hand so that they neither sleep nor depend on other goroutines.
	newTicker    func(time.Duration) (<-chan time.Time, func())
	numGoroutine func() int
	checked      func() // called after each check

	mu       sync.Mutex
	state    int // monitorNew, monitorRunning or monitorStopped
	quit     chan struct{}
	done     chan struct{}
	self     int64 // the monitor goroutine's ID
	baseline int
	baseSnap *parse.Snapshot
	baseErr  error
	last     time.Time // the last alert
	written  int       // dump files written, for their names
}

const (
	monitorNew = iota
	monitorRunning
	monitorStopped
)

// NewMonitor returns a monitor that does nothing until [Monitor.Start].
func NewMonitor(cfg MonitorConfig) *Monitor {
	if cfg.Period <= 0 {
		cfg.Period = 10 * time.Second
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = 100
	}
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = time.Minute
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	return &Monitor{
		cfg:  cfg,
		opts: buildOpts(cfg.Options),
		newTicker: func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		},
		numGoroutine: runtime.NumGoroutine,
	}
}

// Start takes the baseline and starts checking every Period. It returns
// once the baseline is taken. Start on a started or stopped monitor does
// nothing: a stopped monitor is not restarted.
func (m *Monitor) Start() {
	m.mu.Lock()
	if m.state != monitorNew {
		m.mu.Unlock()
		return
	}
	m.state = monitorRunning
	m.quit, m.done = make(chan struct{}), make(chan struct{})
	ticks, stop := m.newTicker(m.cfg.Period)
	ready := make(chan struct{})
	go m.run(ticks, stop, ready)
	m.mu.Unlock()
	// The baseline is taken on the monitor's goroutine, so that it and
	// every later snapshot leave out the same goroutine (the monitor's)
	// and keep the caller, which may well be there at the next check.
	// Wait for it unlocked: the goroutine stores it under the lock.
	<-ready
}

// Stop ends the checks and returns once the monitor's goroutine has exited
// and its ticker is stopped. It may be called any number of times, from
// any goroutine; called from OnAlert it cannot wait for its own goroutine,
// so it returns at once and the goroutine exits after OnAlert returns.
func (m *Monitor) Stop() {
	m.mu.Lock()
	if m.state == monitorRunning {
		close(m.quit)
	}
	m.state = monitorStopped
	done, self := m.done, m.self
	m.mu.Unlock()
	if done == nil || goid() == self {
		return
	}
	<-done
}

// Baseline returns the baseline goroutine count (0 before Start).
func (m *Monitor) Baseline() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.baseline
}

func (m *Monitor) run(ticks <-chan time.Time, stopTicker func(), ready chan<- struct{}) {
	defer close(m.done)
	defer stopTicker()
	self := goid()
	count := m.numGoroutine()
	snap, err := m.snapshot(self, "baseline")
	m.mu.Lock()
	m.self, m.baseline, m.baseSnap, m.baseErr = self, count, snap, err
	m.mu.Unlock()
	close(ready)
	for {
		select {
		case <-m.quit:
			return
		case t := <-ticks:
			m.check(t)
			if m.checked != nil {
				m.checked()
			}
		}
	}
}

// check compares the goroutine count at t with the baseline.
func (m *Monitor) check(t time.Time) {
	count := m.numGoroutine()
	m.mu.Lock()
	baseline, self := m.baseline, m.self
	m.mu.Unlock()
	switch {
	case count < baseline:
		snap, err := m.snapshot(self, "baseline")
		m.mu.Lock()
		m.baseline, m.baseSnap, m.baseErr = count, snap, err
		m.mu.Unlock()
		return
	case count <= baseline+m.cfg.Threshold:
		return
	case !m.last.IsZero() && t.Sub(m.last) < m.cfg.MinInterval:
		return
	}
	m.last = t
	m.alert(t, baseline, count)
}

func (m *Monitor) alert(t time.Time, baseline, count int) {
	m.mu.Lock()
	base, baseErr := m.baseSnap, m.baseErr
	m.mu.Unlock()
	a := Alert{Time: t, Baseline: baseline, Count: count}
	var errs []error
	dump, now, err := snapshot(m.self, "now")
	a.Dump = dump
	switch {
	case err != nil:
		errs = append(errs, err)
	case base == nil:
		// The baseline could not be parsed: report on the dump alone.
		errs = append(errs, baseErr)
		if err := m.prepare(now); err != nil {
			errs = append(errs, err)
		}
		a.Report = classify.Compare([]*parse.Snapshot{now}, m.opts.classifyOptions())
	default:
		// Compare leaves its inputs alone, so the baseline serves again.
		if err := m.prepare(now); err != nil {
			errs = append(errs, err)
		}
		a.Report = classify.Compare([]*parse.Snapshot{base, now}, m.opts.classifyOptions())
	}
	if m.cfg.Dir != "" {
		m.written++
		file, err := writeDump(m.cfg.Dir, fmt.Sprintf("stackdiff-%d-%d.txt", t.UnixNano(), m.written), dump)
		a.File = file
		errs = append(errs, err)
		if err == nil {
			errs = append(errs, prune(m.cfg.Dir, monitorDumpName, m.cfg.Keep))
		}
	}
	if m.cfg.Writer != nil && a.Report != nil {
		// Render first, write once: a report cut by a failed render is
		// never half-written to a log.
		var buf bytes.Buffer
		err := report.Text(&buf, a.Report, report.Options{Frames: 8})
		if err == nil {
			_, err = m.cfg.Writer.Write(buf.Bytes())
		}
		errs = append(errs, err)
	}
	a.Err = errors.Join(errs...)
	if m.cfg.OnAlert != nil {
		m.cfg.OnAlert(a)
	}
}

// snapshot takes a baseline: without the monitor's goroutine and without
// what the options drop, split by label as they say, once, rather than at
// every alert.
func (m *Monitor) snapshot(self int64, name string) (*parse.Snapshot, error) {
	_, s, err := snapshot(self, name)
	if err != nil {
		return nil, err
	}
	if err := m.prepare(s); err != nil {
		// A baseline not split as the options say would match nothing:
		// the alert reports on its own dump, with this error.
		return nil, err
	}
	return s, nil
}

// prepare applies the options to a snapshot just taken: IgnoreCurrent's
// drop and the label options' splits (whose labels, where the headers
// show none, must be read while the goroutines are still those of s).
func (m *Monitor) prepare(s *parse.Snapshot) error {
	m.opts.dropIgnored(s)
	return m.opts.splitLabels(s, nil)
}

// writeDump writes the marker line of name (retain.go) and data to
// dir/name through a temporary file moved into place whole, so that
// whoever watches dir never reads half a dump. An existing dir/name is
// never replaced: it may be the user's.
func writeDump(dir, name string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(dumpHeader(name))
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	path := filepath.Join(dir, name)
	if err == nil {
		err = placeNew(f.Name(), path)
	}
	if err != nil {
		return "", fmt.Errorf("capture: writing goroutine dump: %w", err)
	}
	return path, nil
}

// placeNew moves the file tmp to path, which must not exist. A hard link
// does it atomically; where the file system has none, a check and a
// rename do.
func placeNew(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, os.ErrExist) {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return &os.PathError{Op: "create", Path: path, Err: os.ErrExist}
	}
	return os.Rename(tmp, path)
}
