package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/internal/term"
	"github.com/stackdiff/stackdiff/parse"
)

// load reads every input, in order, into snapshots. Problems are reported on
// stderr; the returned code is exitTrouble when nothing usable was read.
func (c *config) load(paths []string, stdin io.Reader, stderr io.Writer) ([]*parse.Snapshot, int) {
	stdinUses := 0
	for _, p := range paths {
		if p == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		complain(stderr, "standard input (-) can be read only once")
		return nil, exitTrouble
	}
	if c.interval > 0 || c.count > 0 {
		if len(paths) != 1 || !isURL(paths[0]) {
			complain(stderr, "--interval and --count take exactly one URL")
			return nil, exitTrouble
		}
		return c.fetchSeries(paths[0], stderr)
	}
	var all []*parse.Snapshot
	for _, p := range paths {
		if isURL(p) {
			snaps, err := c.fetch(p, "")
			if err != nil {
				complain(stderr, "%s: %v", redact(p), err)
				return nil, exitTrouble
			}
			warn(stderr, snaps)
			all = append(all, snaps...)
			continue
		}
		var r io.Reader
		name := p
		if p == "-" {
			name = "<stdin>"
			r = stdin
			if c.passApp && !c.quiet {
				r = newPassthrough(r, stderr)
			}
			if c.readingStdin != nil {
				c.readingStdin()
			}
		} else {
			f, err := openInput(p, stderr)
			if err != nil {
				var pe *os.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				complain(stderr, "%s: %v", p, err)
				return nil, exitTrouble
			}
			defer f.Close()
			r = f
		}
		var pr *progress
		// The pipe's own lines go to stderr too: a progress line would
		// mix with them.
		if _, passing := r.(*passthrough); !passing && term.IsTerminal(stderr) {
			pr = startProgress(r, name, stderr)
			r = pr
		}
		snaps, err := parse.ReadAll(r, name)
		if pr != nil {
			pr.Stop()
		}
		if err != nil {
			complain(stderr, "%s: %v", name, err)
			return nil, exitTrouble
		}
		warn(stderr, snaps)
		all = append(all, snaps...)
	}
	leaveOutWriters(all)
	return all, exitOK
}

// leaveOutWriters takes out of every snapshot the goroutines that were
// serving the HTTP request that fetched it, by stackdiff or by curl: they
// are new in every dump, and never the service's (parse's DropWriters).
// The reports say how many.
func leaveOutWriters(snaps []*parse.Snapshot) {
	for _, s := range snaps {
		s.DropWriters()
	}
}

// warn prints the warnings of one input's snapshots, the first
// safetext.MaxWarnings of them, then how many more there were: a broken
// input can have thousands, and a page of them hides the report.
func warn(stderr io.Writer, snaps []*parse.Snapshot) {
	shown, more := 0, 0
	name := ""
	for _, s := range snaps {
		name = s.Name
		for _, w := range s.Warnings {
			if shown == safetext.MaxWarnings {
				more++
				continue
			}
			complain(stderr, "warning: %s: %s", s.Name, w)
			shown++
		}
	}
	if more > 0 {
		complain(stderr, "warning: %s: and %s", name, report.Plural(more, "more warning"))
	}
}

func isURL(p string) bool {
	return strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://")
}

// fetch reads a dump from a live process's net/http/pprof endpoint. The
// snapshots are named after the URL, with suffix appended.
func (c *config) fetch(url, suffix string) ([]*parse.Snapshot, error) {
	snaps, err := capture.Fetch(context.Background(), url, capture.FetchOptions{Timeout: c.timeout})
	if err != nil {
		// The URL is already in our prefix: say only what went wrong.
		var fe *capture.FetchError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return nil, err
	}
	for i, s := range snaps {
		s.Name = redact(url) + suffix
		if len(snaps) > 1 {
			s.Name += fmt.Sprintf("#%d", i+1)
		}
	}
	return snaps, nil
}

// fetchSeries fetches one URL --count times, --interval apart: the before
// and after (or the series) of a live process, named by their offset.
func (c *config) fetchSeries(url string, stderr io.Writer) ([]*parse.Snapshot, int) {
	n := max(c.count, 2)
	var all []*parse.Snapshot
	start := time.Now()
	for i := range n {
		if i > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i) * c.interval)))
		}
		snaps, err := c.fetch(url, "@"+(time.Duration(i)*c.interval).String())
		if err != nil {
			complain(stderr, "%s: %v", redact(url), err)
			return nil, exitTrouble
		}
		warn(stderr, snaps)
		all = append(all, snaps...)
	}
	leaveOutWriters(all)
	return all, exitOK
}

// fifoWait is how long opening a FIFO may wait for a writer before the
// user is told: stackdiff started before the program that writes to the
// FIFO is a way to use it, but silence looks like a hang.
var fifoWait = time.Second

// openInput opens an input file, saying on stderr when a FIFO keeps it
// waiting for a writer.
func openInput(p string, stderr io.Writer) (*os.File, error) {
	if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
		opened, told := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(told)
			select {
			case <-opened:
			case <-time.After(fifoWait):
				complain(stderr, "%s: waiting for a program to write to this FIFO (Ctrl-C to give up)", p)
			}
		}()
		// Nothing else writes to stderr until the note is written or
		// given up.
		defer func() { close(opened); <-told }()
	}
	return os.Open(p)
}
