package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/stackdiff/stackdiff/internal/term"
	"github.com/stackdiff/stackdiff/internal/watch"
)

// runWatch watches the URLs (see internal/watch) each --interval until
// --count rounds or SIGINT or SIGTERM, and prints its events as they
// happen (see the README's "Watch a live service").
func (c *config) runWatch(urls []string, stdout, stderr io.Writer) int {
	for _, u := range urls {
		if !isURL(u) {
			complain(stderr, "%s: --watch takes URLs of net/http/pprof endpoints (http:// or https://)", redact(u))
			return exitTrouble
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := watch.Options{
		Interval:    c.interval,
		Count:       c.count,
		Timeout:     c.timeout,
		Threshold:   c.threshold,
		LeakProfile: c.leakProfile,
		Classify:    c.options(),
		ByLabel:     c.byLabel,
	}
	for _, spec := range c.ignore {
		if key, value, ok, err := labelIgnore(spec); ok && err == nil {
			opts.SplitOff = append(opts.SplitOff, watch.LabelPair{Key: key, Value: value})
		}
	}
	for _, u := range urls {
		opts.Targets = append(opts.Targets, watch.Target{URL: u, Name: redact(u)})
	}
	p := &watchPrinter{c: c, stdout: stdout, stderr: stderr, status: !c.quiet && term.IsTerminal(stderr)}
	end := watch.New(opts, p.event).Run(ctx)
	return p.exit(end)
}

// exit complains of targets that never answered and returns the exit
// status of a watch that ended.
func (p *watchPrinter) exit(end *watch.End) int {
	fetches, failed := 0, 0
	for _, t := range end.Targets {
		fetches += t.Fetches
		failed += t.Failed
	}
	if fetches == 0 && failed > 0 {
		for _, t := range end.Targets {
			msg := ""
			if t.LastErr != nil {
				msg = t.LastErr.Error()
			}
			complain(p.stderr, "%s: %s", t.Name, msg)
		}
		return exitTrouble
	}
	switch {
	case p.c.failOn == "leak" && end.Leak,
		p.c.failOn == "suspect" && (end.Leak || end.Suspect):
		return exitLeak
	}
	return exitOK
}
