package watch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// DefaultInterval is the time between rounds when Options.Interval is 0.
const DefaultInterval = 10 * time.Second

// maxParallelFetches bounds the fetches of a round that run at once, and
// so the snapshots a round holds, whatever the number of targets.
const maxParallelFetches = 8

// Options say what a [Watcher] watches and how. Only Targets is required.
type Options struct {
	// Targets are the net/http/pprof endpoints, one per service (or
	// replica).
	Targets []Target
	// Interval is the time between the starts of two rounds; 0 means
	// DefaultInterval. A round that overran skips the starts it missed.
	Interval time.Duration
	// Count is the number of rounds; 0 watches until the context ends.
	Count int
	// Timeout bounds each fetch (capture.FetchOptions.Timeout).
	Timeout time.Duration
	// Threshold is the number of goroutines at one site that raises a
	// Threshold event (and makes a leak of a blocking group); it is also
	// the crowd from which classify calls goroutines blocked at one site
	// suspects. 0: never.
	Threshold int
	// LeakProfile insists on the goroutineleak profile: a target that does
	// not serve it is down. Without it, a debug=2 watch asks for the
	// profile and falls back to the goroutine profile where it is not
	// served, with a Note.
	LeakProfile bool
	// Classify tunes the comparison of each dump with the target's first
	// (nil: classify's defaults).
	Classify *classify.Options
	// ByLabel splits every group by the value of this pprof label key
	// (parse.SplitByLabel); SplitOff gives the goroutines carrying these
	// labels groups of their own (parse.SplitOffLabel), as ignoring them
	// by label needs.
	ByLabel  string
	SplitOff []LabelPair
	// Client makes the requests; nil means one from capture.NewClient.
	Client *http.Client
}

// Target is one endpoint of a watch.
type Target struct {
	// URL is fetched: http(s)://host:port alone means the full
	// goroutine dump.
	URL string
	// Name is how events name the target; it must not hold the URL's
	// password. "" means the URL with its password redacted, or
	// "target N" when it does not parse.
	Name string
}

// LabelPair is a pprof label key=value.
type LabelPair struct{ Key, Value string }

// Watcher watches the targets of its Options. Make one with [New]; it runs
// once.
type Watcher struct {
	opts     Options
	classify classify.Options
	client   *http.Client
	sink     func(Event)
	targets  []*target
	rounds   int
	// leak and suspect are set by observe (one at a time) and read by
	// the summary.
	leak, suspect bool
}

// New returns a watcher of opts.Targets that hands its events to sink, in
// order, from the goroutine that calls [Watcher.Run].
func New(opts Options, sink func(Event)) *Watcher {
	w := &Watcher{opts: opts, sink: sink, client: opts.Client}
	if opts.Classify != nil {
		w.classify = *opts.Classify
	}
	if opts.Threshold > 0 {
		w.classify.CrowdThreshold = opts.Threshold
	}
	if w.client == nil {
		w.client = capture.NewClient()
	}
	if w.opts.Interval <= 0 {
		w.opts.Interval = DefaultInterval
	}
	for i, tg := range opts.Targets {
		t := &target{name: tg.Name, win: newWindow(defaultRises, opts.Threshold, MaxTracked), leaks: map[string]*classify.Group{}}
		if t.name == "" {
			t.name = fmt.Sprintf("target %d", i+1)
			if u, err := url.Parse(tg.URL); err == nil {
				t.name = u.Redacted()
			}
		}
		t.url, t.fallback = targetURLs(tg.URL, opts.LeakProfile)
		w.targets = append(w.targets, t)
	}
	return w
}

// Run fetches every target each Options.Interval until Options.Count
// rounds or until ctx ends (a round cut short by ctx is not told), hands
// the events to the sink, then a Summary event, and returns its End.
func (w *Watcher) Run(ctx context.Context) *End {
	start := time.Now()
	next := start
	for w.opts.Count == 0 || w.rounds < w.opts.Count {
		if w.rounds > 0 {
			// On the cadence of the interval; a round that overran
			// skips the ticks it missed rather than fetching twice in a
			// row.
			interval := w.opts.Interval
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
	end := w.end(time.Since(start))
	w.sink(Event{Kind: Summary, Time: time.Now(), End: end})
	return end
}

// fetched is the outcome of one fetch of a round: an error, or the events
// of the snapshot, which is compared as soon as it arrives and then let go.
type fetched struct {
	events []pending
	err    error
	at     time.Time
	note   string // said once: the leak profile's fallback
}

// pending is an event of a round, handed on once every target of the
// round is known (to say on how many the group grows).
type pending struct {
	t  *target
	ev Event
}

// fetchAll fetches every target, at most maxParallelFetches at once, and
// compares each snapshot with its target's baseline as it arrives (one at
// a time): a round holds at most maxParallelFetches snapshots, whatever
// the number of targets.
func (w *Watcher) fetchAll(ctx context.Context) []fetched {
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
				r.events = w.observe(t, snap, nil)
				observing.Unlock()
			}
			out[i] = r
		})
	}
	wg.Wait()
	w.client.CloseIdleConnections()
	return out
}

// The words of the leak profile's fallback and of its absence.
const (
	fallbackNote = "no goroutineleak profile here (HTTP 404): watching the goroutine profile, without the GC's proof of leaks (it needs Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile)"
	needsGo127   = "the goroutineleak profile needs a program built by Go 1.27, or by Go 1.26 with GOEXPERIMENT=goroutineleakprofile"
	// profileNote is said once of a target whose URL gives a profile
	// (%s: its format) rather than debug=2 stacks.
	profileNote = "this URL gives the %s profile, without goroutine states, IDs or creators: groups are followed by stack and count alone (?debug=2 gives them)"
)

// fetch fetches a target's dump, falling back from the goroutineleak
// profile on a 404 while the target's profile is undecided.
func (w *Watcher) fetch(ctx context.Context, t *target) (*parse.Snapshot, fetched) {
	opts := capture.FetchOptions{Client: w.client, Timeout: w.opts.Timeout}
	snaps, err := capture.Fetch(ctx, t.url, opts)
	var note string
	if fe := (*capture.FetchError)(nil); errors.As(err, &fe) && fe.Status == http.StatusNotFound && t.fallback != "" {
		note = fallbackNote
		t.url, t.fallback = t.fallback, ""
		snaps, err = capture.Fetch(ctx, t.url, opts)
	} else if err == nil {
		t.fallback = "" // served: the watch stays on it
	}
	if fe := (*capture.FetchError)(nil); errors.As(err, &fe) {
		// A FetchError says "GET URL: what"; the event names the
		// target already.
		err = fe.Err
		if w.opts.LeakProfile && fe.Status == http.StatusNotFound {
			err = fmt.Errorf("%w (%s)", err, needsGo127)
		}
	}
	if err != nil {
		return nil, fetched{err: err, at: time.Now(), note: note}
	}
	snap := snaps[len(snaps)-1]
	if f := snap.Format; (f == parse.FormatProto || f == parse.FormatDebug1) && !t.profileNoted {
		t.profileNoted = true
		note = strings.TrimPrefix(note+"; "+fmt.Sprintf(profileNote, f), "; ")
	}
	return snap, fetched{at: time.Now(), note: note}
}

// round turns the fetches of one round into events and hands them on:
// the notes, then each target's events, then the status.
func (w *Watcher) round(results []fetched) {
	for i, t := range w.targets {
		if r := results[i]; r.note != "" {
			w.sink(Event{Kind: Note, Target: t.name, Time: r.at, Why: r.note})
		}
	}
	var events []pending
	answered := 0
	for i, t := range w.targets {
		r := results[i]
		if r.err != nil {
			t.failed++
			if !t.down || r.err.Error() != t.lastErr.Error() {
				events = append(events, pending{t: t, ev: Event{Kind: Down, Target: t.name, Err: r.err}})
			}
			t.down, t.lastErr = true, r.err
		} else {
			answered++
			if t.down {
				events = append(events, pending{t: t, ev: Event{Kind: Up, Target: t.name}})
				t.down = false
			}
			t.fetches++
			events = append(events, r.events...)
		}
		for j := len(events) - 1; j >= 0 && events[j].t == t; j-- {
			events[j].ev.Time = r.at
		}
	}
	for i := range events {
		p := &events[i]
		if p.ev.Group == nil {
			continue
		}
		p.ev.Trend = p.t.win.trend(p.ev.Group.ID)
		if len(w.targets) > 1 {
			p.ev.Targets = answered
			for _, t := range w.targets {
				if !t.down && t.win.grows(p.ev.Group.ID) {
					p.ev.GrowsOn++
				}
			}
		}
	}
	for _, p := range events {
		w.sink(p.ev)
	}
	st := &Status{Round: w.rounds + 1, Count: w.opts.Count, Targets: len(w.targets)}
	for _, t := range w.targets {
		if t.down {
			st.Down++
		}
		st.LeakGroups += t.leakCount()
	}
	w.sink(Event{Kind: Round, Status: st})
}

// end is what the watch saw, per target.
func (w *Watcher) end(took time.Duration) *End {
	e := &End{Rounds: w.rounds, Took: took, Leak: w.leak, Suspect: w.suspect}
	for _, t := range w.targets {
		te := TargetEnd{Name: t.name, Fetches: t.fetches, Failed: t.failed, LastErr: t.lastErr, LeakGroups: t.leakCount(), Untracked: t.win.dropped}
		for _, g := range t.leaks {
			te.Leaks = append(te.Leaks, g)
		}
		slices.SortFunc(te.Leaks, func(a, b *classify.Group) int { return strings.Compare(a.ID, b.ID) })
		e.Targets = append(e.Targets, te)
	}
	return e
}
