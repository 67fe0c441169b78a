package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// hints notice inputs that were probably not meant: the same file twice,
// or a before and an after given the wrong way round. They go to stderr
// and never change the report or the exit status.
func hints(paths []string, snaps []*parse.Snapshot, rep *classify.Report) []string {
	var out []string
	if first, last := paths[0], paths[len(paths)-1]; len(paths) >= 2 && sameFile(first, last) {
		out = append(out, fmt.Sprintf("%s and %s are the same file: nothing can have changed", first, last))
	}
	if len(snaps) >= 2 && rep.SameProcess && rep.Summary.New == 0 {
		// Within one process IDs only grow: an "after" with no goroutine
		// the "before" lacks, while the before has goroutines newer than
		// any the after holds, was most likely taken first.
		first, last := snaps[0], snaps[len(snaps)-1]
		if hiFirst, hiLast := first.MaxID(), last.MaxID(); hiLast < hiFirst {
			out = append(out, fmt.Sprintf("%s looks older than %s (no new goroutines, and goroutine %d of the first is not in the last); are the inputs swapped?", last.Name, first.Name, hiFirst))
		}
	}
	for _, s := range snaps {
		// Fetched from a URL that names the profile's path without
		// ?debug=, as the net/http/pprof documentation shows it.
		if isURL(s.Name) && (s.Format == parse.FormatProto || s.Format == parse.FormatDebug1) {
			out = append(out, fmt.Sprintf("%s gives the %s profile, without goroutine states, IDs or creators; ?debug=2 gives them", s.Name, s.Format))
			break
		}
	}
	if last := snaps[len(snaps)-1]; last.Event != nil && last.Event.Kind == parse.EventPanic && last.Count() == 1 {
		// GOTRACEBACK=single, the default, prints the panicking
		// goroutine alone: the stuck ones are not in the input at all.
		out = append(out, fmt.Sprintf("%s shows only the panicking goroutine; run the program with GOTRACEBACK=all to see the others", last.Name))
	}
	if len(snaps) >= 2 {
		// Profiles have no IDs, but say when they were taken.
		first, last := snaps[0], snaps[len(snaps)-1]
		if !first.Taken.IsZero() && !last.Taken.IsZero() && last.Taken.Before(first.Taken) {
			out = append(out, fmt.Sprintf("%s was taken before %s (%s, %s); are the inputs swapped?", last.Name, first.Name,
				last.Taken.Format(time.RFC3339), first.Taken.Format(time.RFC3339)))
		}
	}
	if len(snaps) >= 2 && rep.SameProcess {
		if h := twoProcesses(snaps[0], rep); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// twoProcesses notices two dumps taken as one process that share only what
// every Go process has (goroutine 1, the runtime's goroutines) while a
// quarter or more of the after's "new" goroutines have IDs below the
// before's highest: in one process IDs only grow, give or take a
// per-processor batch of 16. The report's IDs and new IDs tell which are
// shared: no second pass over the goroutines.
func twoProcesses(first *parse.Snapshot, rep *classify.Report) string {
	hi := first.MaxID()
	shared, fresh, older := 0, 0, 0
	for _, g := range rep.Groups {
		fresh += len(g.NewIDs)
		for _, id := range g.NewIDs {
			if id+batchSlop < hi {
				older++
			}
		}
		fromRuntime := g.CreatedBy != nil && strings.HasPrefix(g.CreatedBy.Func, "runtime.")
		if kept := len(g.IDs) - len(g.NewIDs); kept > 0 && !fromRuntime {
			if _, one := slices.BinarySearch(g.IDs, 1); one {
				kept-- // goroutine 1: every process has one
			}
			shared += kept
		}
	}
	if shared > 0 || fresh == 0 || older*4 <= fresh {
		return ""
	}
	return fmt.Sprintf("%s and %s share no goroutine but main and the runtime's, and %d of the %d new goroutines have IDs below %d, the first's highest: if they come from two processes (two runs, a restart, two replicas), compare them with --match stack", first.Name, rep.Inputs[len(rep.Inputs)-1].Name, older, fresh, hi)
}

// batchSlop is how far below an older goroutine's ID a newer one's may
// be within one process: each processor takes IDs in batches of 16.
const batchSlop = 16

func sameFile(a, b string) bool {
	if a == "-" || b == "-" || isURL(a) || isURL(b) {
		return false
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
