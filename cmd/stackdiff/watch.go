package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/internal/term"
	"github.com/stackdiff/stackdiff/parse"
)

const (
	defaultWatchInterval = 10 * time.Second
	maxParallelFetches   = 8
	baselineName         = "the start of the watch"
)

// watchTarget is one URL of a watch and what is kept of it between fetches.
type watchTarget struct {
	url string // fetched: the goroutineleak profile where served (see targetURLs)
	// fallback is the goroutine profile's URL while the goroutineleak
	// profile is tried without --leakprofile; "" once decided.
	fallback string
	name     string // printed: the URL with its password redacted
	// baseline is the first snapshot: verdicts compare it with the latest.
	baseline *parse.Snapshot
	// writer is the ID of the goroutine that wrote the last dump: a new
	// connection's, so within one process it only grows (see restarted).
	writer          int64
	win             *window
	down            bool
	lastErr         string
	fetches, failed int
	// leaks are the first maxSummaryLeaks groups found leaking, without
	// their goroutine IDs, for the summary; leaksMore counts the leak
	// events of the others, which are printed as they happen but not kept.
	leaks     map[string]*classify.Group
	leaksMore int
}

// fetched is the outcome of one fetch of a round: an error, or the events
// of the snapshot, which is compared as soon as it arrives and then let go.
type fetched struct {
	events []pending
	err    error
	at     time.Time
	note   string // said once on standard error: the leak profile's fallback
}

// pending is an event of a round, printed once every target of the round
// is known (to say on how many the group grows).
type pending struct {
	t     *watchTarget
	ev    watchEvent
	group *classify.Group
}

type watcher struct {
	c              *config
	stdout, stderr io.Writer
	client         *http.Client
	targets        []*watchTarget
	status         bool // a status line on stderr, a terminal
	rounds         int
	leak, suspect  bool // seen, for the exit status
}

// runWatch fetches every URL each --interval until --count rounds or SIGINT
// or SIGTERM, and reports events as they happen (see the README's "Watch a
// live service").
func (c *config) runWatch(urls []string, stdout, stderr io.Writer) int {
	for _, u := range urls {
		if !isURL(u) {
			complain(stderr, "%s: --watch takes URLs of net/http/pprof endpoints (http:// or https://)", redact(u))
			return exitTrouble
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := &watcher{c: c, stdout: stdout, stderr: stderr, client: watchClient()}
	w.status = !c.quiet && term.IsTerminal(stderr)
	for _, u := range urls {
		t := &watchTarget{url: u, name: redact(u), win: newWindow(defaultRises, c.threshold, maxTracked), leaks: map[string]*classify.Group{}}
		t.url, t.fallback = targetURLs(u, c.leakProfile)
		w.targets = append(w.targets, t)
	}
	interval := c.interval
	if interval == 0 {
		interval = defaultWatchInterval
	}
	start := time.Now()
	next := start
	for c.count == 0 || w.rounds < c.count {
		if w.rounds > 0 {
			// On the cadence of --interval; a round that overran skips
			// the ticks it missed rather than fetching twice in a row.
			next = next.Add(interval)
			if late := time.Since(next); late > 0 {
				next = next.Add((late/interval + 1) * interval)
			}
			timer := time.NewTimer(time.Until(next))
			select {
			case <-ctx.Done():
				timer.Stop()
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		results := w.fetchAll(ctx)
		if ctx.Err() != nil {
			break // interrupted during the round: its fetches were cut short
		}
		w.round(results)
		w.rounds++
	}
	return w.finish(time.Since(start))
}

// watchClient makes the requests of a watch: HTTP/1.1 without keep-alive,
// so that each fetch has its own connection, served by one goroutine that
// DropWriters recognises, and closed when the dump is read.
func watchClient() *http.Client {
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment}
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	}
	tr.DisableKeepAlives = true
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP1(true)
	return &http.Client{Transport: tr}
}

// fetchAll fetches every target, at most maxParallelFetches at once, and
// compares each snapshot with its target's baseline as it arrives (one at
// a time): a round holds at most maxParallelFetches snapshots, whatever
// the number of targets.
func (w *watcher) fetchAll(ctx context.Context) []fetched {
	out := make([]fetched, len(w.targets))
	sem := make(chan struct{}, maxParallelFetches)
	var wg sync.WaitGroup
	var observing sync.Mutex
	for i, t := range w.targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			snap, r := w.fetch(ctx, t)
			if snap != nil && ctx.Err() == nil {
				observing.Lock()
				r.events = w.observe(t, snap, stampOf(r.at))
				observing.Unlock()
			}
			out[i] = r
		})
	}
	wg.Wait()
	w.client.CloseIdleConnections()
	return out
}

func (w *watcher) fetch(ctx context.Context, t *watchTarget) (*parse.Snapshot, fetched) {
	snaps, err := capture.Fetch(ctx, t.url, capture.FetchOptions{Client: w.client, Timeout: w.c.timeout})
	var note string
	if fe := (*capture.FetchError)(nil); errors.As(err, &fe) && fe.Status == http.StatusNotFound && t.fallback != "" {
		note = "no goroutineleak profile here (HTTP 404): watching the goroutine profile, without the GC's proof of leaks (it needs Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile)"
		t.url, t.fallback = t.fallback, ""
		snaps, err = capture.Fetch(ctx, t.url, capture.FetchOptions{Client: w.client, Timeout: w.c.timeout})
	} else if err == nil {
		t.fallback = "" // served: the watch stays on it
	}
	if err != nil {
		// capture says "GET URL: what"; the event names the target already.
		if inner := errors.Unwrap(err); inner != nil && strings.HasPrefix(err.Error(), "GET ") {
			err = inner
		}
		if w.c.leakProfile && strings.Contains(err.Error(), "HTTP 404") {
			err = fmt.Errorf("%w (the goroutineleak profile needs a program built by Go 1.27, or by Go 1.26 with GOEXPERIMENT=goroutineleakprofile)", err)
		}
		return nil, fetched{err: err, at: time.Now(), note: note}
	}
	return snaps[len(snaps)-1], fetched{at: time.Now(), note: note}
}

// stampOf is an event's time.
func stampOf(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// round turns the fetches of one round into events and prints them.
func (w *watcher) round(results []fetched) {
	var events []pending
	answered := 0
	for i, t := range w.targets {
		r := results[i]
		if r.note != "" && !w.c.quiet {
			complain(w.stderr, "%s: %s", t.name, r.note)
		}
		stamp := stampOf(r.at)
		if r.err != nil {
			t.failed++
			msg := r.err.Error()
			if !t.down || msg != t.lastErr {
				events = append(events, pending{t: t, ev: watchEvent{Target: t.name, Time: stamp, Event: evDown, Error: msg}})
			}
			t.down, t.lastErr = true, msg
			continue
		}
		answered++
		if t.down {
			events = append(events, pending{t: t, ev: watchEvent{Target: t.name, Time: stamp, Event: evUp}})
			t.down, t.lastErr = false, ""
		}
		t.fetches++
		events = append(events, r.events...)
	}
	for i := range events {
		p := &events[i]
		if p.group == nil {
			continue
		}
		p.ev.Trend = p.t.win.trend(p.group.ID)
		if len(w.targets) > 1 {
			p.ev.Targets = answered
			for _, t := range w.targets {
				if !t.down && t.win.grows(p.group.ID) {
					p.ev.GrowsOn++
				}
			}
		}
	}
	w.print(events)
}

// observe compares a target's latest snapshot with its baseline and runs
// the window's rules.
func (w *watcher) observe(t *watchTarget, snap *parse.Snapshot, stamp string) []pending {
	writer := snap.WriterID()
	snap.DropWriters()
	w.c.splitByLabels(snap)
	// The baseline is kept for the whole watch: only the groups the window
	// can follow are kept of any snapshot (see keepLargest).
	untracked := keepLargest(snap, maxTracked)
	var out []pending
	if t.baseline != nil && restarted(t.writer, writer) {
		// Its goroutines are not those of the baseline: start again.
		out = append(out, pending{t: t, ev: watchEvent{Target: t.name, Time: stamp, Event: evRestart,
			Why: fmt.Sprintf("goroutine IDs started again (the dump was written by goroutine %d, the last one by %d): a new process, followed from here", writer, t.writer)}})
		t.baseline = nil
		t.win = newWindow(defaultRises, w.c.threshold, maxTracked)
	}
	t.win.dropped = max(t.win.dropped, untracked)
	if writer > 0 {
		t.writer = writer
	}
	if t.baseline == nil {
		snap.Name = baselineName
		t.baseline = snap
	}
	opts := w.c.options()
	if w.c.threshold > 0 {
		opts.CrowdThreshold = w.c.threshold
	}
	rep := classify.Compare([]*parse.Snapshot{t.baseline, snap}, opts)
	samples := make([]sample, 0, len(rep.Groups))
	byID := make(map[string]*classify.Group, len(rep.Groups))
	for _, g := range rep.Groups {
		n := g.Counts[len(g.Counts)-1]
		if n == 0 {
			continue // gone since the start
		}
		s := sample{id: g.ID, count: n, verdict: g.Verdict, class: g.Class, leaked: g.Leaked, fresh: g.New > 0, minWait: g.WaitMinutes[0]}
		if len(g.IDs) > 0 {
			s.maxGID = g.IDs[len(g.IDs)-1]
		}
		samples = append(samples, s)
		byID[g.ID] = g
	}
	for _, ch := range t.win.step(samples, maxID(snap)) {
		g := byID[ch.id]
		switch ch.kind {
		case evLeak:
			// The watch's rule is evidence, as a series' growth is for
			// Compare: a growing server connection is a leak too.
			g.Verdict = classify.Leak
			if !slices.Contains(g.Evidence, ch.why) {
				g.Evidence = append(g.Evidence, ch.why)
			}
			w.leak = true
			t.addLeak(g)
		case evGrowing, evThreshold:
			w.suspect = true
		}
		out = append(out, pending{t: t, group: g, ev: watchEvent{Target: t.name, Time: stamp, Event: ch.kind, Group: report.GroupJSON(g), Why: ch.why}})
	}
	return out
}

// print writes the events of a round: NDJSON, or one line each (and the
// classified group under a new leak), then the status line.
func (w *watcher) print(events []pending) {
	if w.c.quiet {
		return
	}
	if w.status {
		fmt.Fprint(w.stderr, "\r\x1b[K")
	}
	if w.c.json {
		enc := json.NewEncoder(w.stdout)
		for _, p := range events {
			encodeEvent(enc, p.ev)
		}
	} else {
		for _, p := range events {
			w.printText(p)
		}
	}
	if w.status {
		down, leaks := 0, 0
		for _, t := range w.targets {
			if t.down {
				down++
			}
			leaks += t.leakCount()
		}
		count := ""
		if w.c.count > 0 {
			count = fmt.Sprintf("/%d", w.c.count)
		}
		fmt.Fprintf(w.stderr, "stackdiff: watching %s: round %d%s, %s, %d down", report.Plural(len(w.targets), "target"), w.rounds+1, count, report.Plural(leaks, "leak group"), down)
	}
}

func (w *watcher) printText(p pending) {
	ev := p.ev
	when := ev.Time
	if ts, err := time.Parse(time.RFC3339, ev.Time); err == nil {
		when = ts.Local().Format("15:04:05")
	}
	var b strings.Builder
	// Each string from elsewhere through the gate, then the line (the
	// group's site is gated by FrameText).
	fmt.Fprintf(&b, "%s %-9s %s", when, ev.Event, safetext.String(ev.Target))
	switch {
	case ev.Event == evDown:
		fmt.Fprintf(&b, ": %s", safetext.String(ev.Error))
	case ev.Event == evRestart:
		fmt.Fprintf(&b, ": %s", safetext.String(ev.Why))
	case ev.Event == evUp:
		b.WriteString(": answers again")
	case p.group != nil:
		g := p.group
		label, why := safetext.String(string(g.Label)), safetext.String(ev.Why)
		if g.Delta > 0 {
			fmt.Fprintf(&b, "  %s %s (%s since the start) at %s: %s", label, report.Signed(g.Delta), display.JoinCounts(g.Counts), siteText(g), why)
		} else {
			// Fewer than at the start (a restart not told apart, a pool
			// that shrank, then rose again): the rise is in the reason;
			// a negative "growth" would only confuse.
			fmt.Fprintf(&b, "  %s now %d at %s: %s", label, g.Counts[len(g.Counts)-1], siteText(g), why)
		}
		if ev.Targets > 0 {
			fmt.Fprintf(&b, "; grows on %d of %d targets", ev.GrowsOn, ev.Targets)
		}
	}
	fmt.Fprintln(w.stdout, safetext.Line(b.String()))
	if ev.Event == evLeak && p.group != nil {
		var buf bytes.Buffer
		report.Detail(&buf, p.group, w.c.frames, false)
		for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			fmt.Fprintln(w.stdout, safetext.Line(line)) // gated by Detail
		}
		fmt.Fprintln(w.stdout)
	}
}

// finish prints the summary and returns the exit status.
func (w *watcher) finish(took time.Duration) int {
	if w.status {
		fmt.Fprint(w.stderr, "\r\x1b[K")
	}
	fetches, failed := 0, 0
	for _, t := range w.targets {
		fetches += t.fetches
		failed += t.failed
	}
	if !w.c.quiet {
		w.summary(took)
	}
	if fetches == 0 && failed > 0 {
		for _, t := range w.targets {
			complain(w.stderr, "%s: %s", t.name, t.lastErr)
		}
		return exitTrouble
	}
	switch {
	case w.c.failOn == "leak" && w.leak,
		w.c.failOn == "suspect" && (w.leak || w.suspect):
		return exitLeak
	}
	return exitOK
}

// siteText is "pkg.Func file.go:12" for the group's blocking site (or its
// top frame).
func siteText(g *classify.Group) string {
	f := g.Site
	if f == nil && len(g.Frames) > 0 {
		f = &g.Frames[0]
	}
	return report.FrameText(f)
}
