package classify

import (
	"cmp"
	"slices"

	"github.com/stackdiff/stackdiff/internal/lineage"
	"github.com/stackdiff/stackdiff/parse"
)

// Origin is where some of a group's goroutines descend from, as the
// dump's ancestry shows it (see [Group.Origins]).
type Origin struct {
	// Test is the test whose goroutine they descend from ("TestFetchAll",
	// the top-level test for a subtest), or "" when none is in their line.
	Test string
	// Func is the test's function, fully qualified, or else the program's
	// own function, in the oldest ancestor the dump shows, that started
	// their line ("main.startWorkers").
	Func string
	// Count is the number of the group's goroutines with this origin.
	Count int
}

// setOrigins fills the groups' Origins from the last snapshot, when it
// shows the goroutines' ancestry (GODEBUG=tracebackancestors=N): without
// it, most lines are cut where a goroutine has exited.
func setOrigins(groups []*Group, snaps []*parse.Snapshot) {
	if len(snaps) == 0 || !snaps[len(snaps)-1].HasAncestry() {
		return
	}
	x := lineage.New(snaps[len(snaps)-1])
	for _, g := range groups {
		counts := map[Origin]int{}
		for _, id := range g.IDs {
			o := x.Origin(id)
			var key Origin
			switch {
			case o.TestFunc != "":
				key = Origin{Test: o.Test(), Func: o.TestFunc}
			case len(o.Root) > 0:
				if f := Site(o.Root); f != nil {
					key = Origin{Func: f.Func}
				}
			}
			if key.Func != "" {
				counts[key]++
			}
		}
		for o, n := range counts {
			o.Count = n
			g.Origins = append(g.Origins, o)
		}
		slices.SortFunc(g.Origins, func(a, b Origin) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			if c := cmp.Compare(a.Test, b.Test); c != 0 {
				return c
			}
			return cmp.Compare(a.Func, b.Func)
		})
	}
}
