package main

import (
	"fmt"
	"os"

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
		if hiFirst, hiLast := maxID(first), maxID(last); hiLast < hiFirst {
			out = append(out, fmt.Sprintf("%s looks older than %s (no new goroutines, and goroutine %d of the first is not in the last); are the inputs swapped?", last.Name, first.Name, hiFirst))
		}
	}
	return out
}

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

func maxID(s *parse.Snapshot) int64 {
	var hi int64
	for _, g := range s.Groups {
		for _, m := range g.Members {
			hi = max(hi, m.ID)
		}
	}
	return hi
}
