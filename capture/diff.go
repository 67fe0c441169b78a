package capture

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// Diff runs fn and reports the goroutines it left behind: it settles and
// takes a snapshot ("before"), runs fn on the calling goroutine, settles
// and takes another ("after"), and returns [classify.Compare] of the two.
// Goroutines fn started that are still parked somewhere are new in the
// report, labelled by what they wait on, and a leak when that wait is a
// blocking one.
//
// Where the runtime has the goroutineleak profile (Go 1.27; Go 1.26 built
// with GOEXPERIMENT=goroutineleakprofile), Diff writes it after each settle
// (one extra GC cycle each), so that goroutines that GC proves can never wake
// are a leak with its proof (evidence "gc-proven").
//
// Each settle waits at most [MaxWait] (default [DefaultMaxWait]); a
// goroutine still running then is reported as running (with a warning on
// the snapshot) rather than failing the diff. Diff fails when ctx ends or
// when a dump cannot be parsed. The name options ([IgnoreTopFunction] ...)
// give the groups they match the verdict ok; [IgnoreCurrent] removes the
// goroutines it recorded from both snapshots; [ByLabel] and [IgnoreLabel]
// split and ignore groups by pprof label.
func Diff(ctx context.Context, fn func(), options ...Option) (*classify.Report, error) {
	o := buildOpts(options)
	if err := errors.Join(o.errs...); err != nil {
		return nil, err
	}
	self := goid()
	// take settles and snapshots the process. Proven on both sides, a
	// goroutine leaked before fn has one signature, "(leaked)" included,
	// in both snapshots. The labels of "before" are read at once: after fn
	// the goroutine profile would describe other goroutines.
	take := func(name string) (*parse.Snapshot, error) {
		s, err := settleFor(ctx, self, o.maxWait, name)
		if err != nil {
			return nil, err
		}
		if s, err = prove(self, s); err != nil {
			return nil, err
		}
		o.dropIgnored(s)
		return s, o.splitLabels(s, nil)
	}
	before, err := take("before")
	if err != nil {
		return nil, err
	}
	fn()
	after, err := take("after")
	if err != nil {
		return nil, err
	}
	return classify.Compare([]*parse.Snapshot{before, after}, o.classifyOptions()), nil
}

// prove runs the goroutineleak profile's GC where the runtime has it and
// returns the settled snapshot again, now with the (leaked) marks of the
// goroutines that GC proved can never wake; s itself where there is no
// such profile.
func prove(self int64, s *parse.Snapshot) (*parse.Snapshot, error) {
	if !hasLeakProfile() {
		return s, nil
	}
	if _, err := profile("goroutineleak"); err != nil {
		return nil, err
	}
	_, proven, err := snapshot(self, s.Name)
	if err != nil {
		return nil, err
	}
	proven.Warnings = append(proven.Warnings, s.Warnings...)
	return proven, nil
}

// settleFor settles for at most wait and names the snapshot. Running out
// of wait is not an error (the snapshot says what still runs, and a
// warning says it did not settle); ctx ending is.
func settleFor(ctx context.Context, self int64, wait time.Duration, name string) (*parse.Snapshot, error) {
	// A settled process would not look at ctx at all: check it here, so
	// that a cancelled Diff never runs fn.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	s, err := settle(ctx, self, time.Now().Add(wait))
	if err != nil {
		if !errors.Is(err, errDeadline) {
			return nil, err
		}
		s.Warnings = append(s.Warnings, fmt.Sprintf("did not settle within %v: %d goroutines still running or runnable", wait, busy(s)))
	}
	s.Name = name
	return s, nil
}
