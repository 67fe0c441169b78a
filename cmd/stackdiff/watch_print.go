package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/internal/watch"
)

// watchPrinter prints the events of a watch: NDJSON, or one line each (and
// the classified group under a new leak), and a status line on a terminal.
type watchPrinter struct {
	c              *config
	stdout, stderr io.Writer
	status         bool // a status line on stderr, a terminal
	// cleared is set once the status line of the last round is cleared.
	cleared bool
}

// event prints one event of the watch.
func (p *watchPrinter) event(ev watch.Event) {
	switch {
	case ev.Kind == watch.Note:
		if !p.c.quiet {
			complain(p.stderr, "%s: %s", ev.Target, ev.Why)
		}
	case ev.Kind == watch.Summary:
		if p.status {
			fmt.Fprint(p.stderr, "\r\x1b[K")
		}
		if !p.c.quiet {
			p.summary(ev)
		}
	case p.c.quiet:
	case ev.Kind == watch.Round:
		p.clearStatus()
		p.cleared = false
		if p.status {
			st := ev.Status
			count := ""
			if st.Count > 0 {
				count = fmt.Sprintf("/%d", st.Count)
			}
			fmt.Fprintf(p.stderr, "stackdiff: watching %s: round %d%s, %s, %d down", report.Plural(st.Targets, "target"), st.Round, count, report.Plural(st.LeakGroups, "leak group"), st.Down)
		}
	default:
		p.clearStatus()
		if p.c.json {
			encodeEvent(json.NewEncoder(p.stdout), jsonEvent(ev))
		} else {
			p.printText(ev)
		}
	}
}

// clearStatus clears the status line before the first line of a round.
func (p *watchPrinter) clearStatus() {
	if p.status && !p.cleared {
		fmt.Fprint(p.stderr, "\r\x1b[K")
	}
	p.cleared = true
}

// stampOf is an event's time in NDJSON.
func stampOf(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func (p *watchPrinter) printText(ev watch.Event) {
	var b strings.Builder
	// Each string from elsewhere through the gate, then the line (the
	// group's site is gated by FrameText).
	fmt.Fprintf(&b, "%s %-9s %s", ev.Time.Local().Format("15:04:05"), ev.Kind, safetext.String(ev.Target))
	switch {
	case ev.Kind == watch.Down:
		fmt.Fprintf(&b, ": %s", safetext.String(ev.Err.Error()))
	case ev.Kind == watch.Restart:
		fmt.Fprintf(&b, ": %s", safetext.String(ev.Why))
	case ev.Kind == watch.Up:
		b.WriteString(": answers again")
	case ev.Group != nil:
		g := ev.Group
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
	fmt.Fprintln(p.stdout, safetext.Line(b.String()))
	if ev.Kind == watch.Leak && ev.Group != nil {
		var buf bytes.Buffer
		report.Detail(&buf, ev.Group, p.c.frames, false)
		for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			fmt.Fprintln(p.stdout, safetext.Line(line)) // gated by Detail
		}
		fmt.Fprintln(p.stdout)
	}
}

// summary prints the end of the watch: NDJSON, one summary per target; or
// the leak groups, then each target.
func (p *watchPrinter) summary(ev watch.Event) {
	end := ev.End
	if p.c.json {
		enc := json.NewEncoder(p.stdout)
		for _, t := range end.Targets {
			encodeEvent(enc, watchEvent{Target: t.Name, Time: stampOf(ev.Time), Event: watch.Summary, Summary: &watchSummary{Fetches: t.Fetches, Failed: t.Failed, LeakGroups: t.LeakGroups, Untracked: t.Untracked}})
		}
		return
	}
	// One line per leak group, matched across targets by stack; at most
	// watch.MaxLeaksKept lines, then one counting the rest.
	var ids []string
	groups := map[string]*classify.Group{}
	on := map[string]int{}
	notKept := 0 // leak groups not kept, counted once per target
	for _, t := range end.Targets {
		for _, g := range t.Leaks {
			if groups[g.ID] == nil {
				ids = append(ids, g.ID)
				groups[g.ID] = g
			}
			on[g.ID]++
		}
		notKept += t.LeakGroups - len(t.Leaks)
	}
	slices.Sort(ids)
	listed := min(len(ids), watch.MaxLeaksKept)
	more := len(ids) - listed + notKept
	fmt.Fprintf(p.stdout, "watch ended after %s (%s): %s\n", report.Plural(end.Rounds, "round"), end.Took.Round(time.Millisecond), report.Plural(len(ids)+notKept, "leak group"))
	for _, id := range ids[:listed] {
		g := groups[id]
		line := fmt.Sprintf("  leak %s at %s: on %d of %s", safetext.String(string(g.Label)), siteText(g), on[id], report.Plural(len(end.Targets), "target"))
		fmt.Fprintln(p.stdout, safetext.Line(line))
	}
	if more > 0 {
		fmt.Fprintf(p.stdout, "  and %d more (at most %d leak groups are kept per target and listed)\n", more, watch.MaxLeaksKept)
	}
	for _, t := range end.Targets {
		line := fmt.Sprintf("  %s: %s, %d failed, %s", safetext.String(t.Name), report.Plural(t.Fetches, "dump"), t.Failed, report.Plural(t.LeakGroups, "leak group"))
		if t.Untracked > 0 {
			line += fmt.Sprintf("; up to %d small groups not followed (over %d groups)", t.Untracked, watch.MaxTracked)
		}
		fmt.Fprintln(p.stdout, safetext.Line(line))
	}
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
