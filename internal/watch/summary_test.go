package watch

import (
	"errors"
	"fmt"

	"github.com/stackdiff/stackdiff/classify"
)

// checkSummaries returns an error describing every total of a watch's round
// statuses and end that its events do not add up to, or nil: the groups
// of its leak events are leaks, each round counts the distinct groups
// found leaking so far, each target's end counts its own and keeps them
// (up to MaxLeaksKept), and the end's Leak and Suspect say what the
// events said. record runs it on every watch of these tests: the watch's
// totals are its own, and must agree with what it told the sink.
func checkSummaries(events []Event, end *End) error {
	if end == nil {
		return errors.New("no end")
	}
	var errs []error
	leaks := map[string]map[string]bool{} // target -> group IDs
	total := 0
	suspect := false
	for i, ev := range events {
		switch ev.Kind {
		case Leak:
			if ev.Group == nil || ev.Group.Verdict != classify.Leak {
				errs = append(errs, fmt.Errorf("event %d: a leak event's group is not a leak: %+v", i, ev.Group))
				continue
			}
			if leaks[ev.Target] == nil {
				leaks[ev.Target] = map[string]bool{}
			}
			if !leaks[ev.Target][ev.Group.ID] {
				leaks[ev.Target][ev.Group.ID] = true
				total++
			}
		case Growing, Threshold:
			suspect = true
			if ev.Group != nil && ev.Group.Verdict == classify.Leak && !leaks[ev.Target][ev.Group.ID] {
				errs = append(errs, fmt.Errorf("event %d: a %s event says leak of group %s, which the watch has not found leaking", i, ev.Kind, ev.Group.ID))
			}
		case Round:
			if ev.Status == nil || ev.Status.LeakGroups != total {
				errs = append(errs, fmt.Errorf("event %d: round status %+v, want %d leak groups", i, ev.Status, total))
			}
		}
	}
	if end.Leak != (total > 0) {
		errs = append(errs, fmt.Errorf("end says leak %v after %d leak groups", end.Leak, total))
	}
	if suspect && !end.Suspect {
		errs = append(errs, errors.New("end says no suspect after a growing or threshold event"))
	}
	for _, te := range end.Targets {
		n := len(leaks[te.Name])
		if te.LeakGroups != n || len(te.Leaks) != min(n, MaxLeaksKept) {
			errs = append(errs, fmt.Errorf("target %s: %d leak groups, %d kept; its events show %d", te.Name, te.LeakGroups, len(te.Leaks), n))
		}
		for _, g := range te.Leaks {
			if g.Verdict != classify.Leak || !leaks[te.Name][g.ID] {
				errs = append(errs, fmt.Errorf("target %s keeps group %s (%s), not one of its leak events", te.Name, g.ID, g.Verdict))
			}
		}
	}
	return errors.Join(errs...)
}
