package classify_test

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
	"github.com/stackdiff/stackdiff/samples/scenarios"
)

// TestScenariosAgainstGoleak runs every leak scenario for real, takes a
// goroutine dump before and after it, and checks stackdiff's verdicts
// against go.uber.org/goleak run at the same moment:
//   - every goroutine stackdiff calls leaked, goleak reports too;
//   - every goroutine goleak reports, stackdiff calls leaked, or suspect
//     (the server side of a client's leaked HTTP connection), or explains
//     as benign (a listener the scenario started);
//   - the leak group carries the scenario's expected label and count;
//   - fixed scenarios give no leak at all.
//
// goleak.Find retries for about 0.4 s whenever goroutines are left, and
// its retries cannot be tuned, so it runs once for all scenarios: each runs
// in turn and stays up (its leaks parked) until the end, and each is
// judged on the goroutines goleak reports that are new in its own "after".
func TestScenariosAgainstGoleak(t *testing.T) {
	type run struct {
		sc            scenarios.Scenario
		before, after *parse.Snapshot
	}
	var runs []run
	var stops []func()
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- { // a Run's stop before its Setup's
			stops[i]()
		}
	}()
	ignore := goleak.IgnoreCurrent()
	for _, sc := range scenarios.All {
		if sc.Setup != nil {
			stops = append(stops, sc.Setup())
		}
		before := snapshot(t, "before")
		stops = append(stops, sc.Run())
		runs = append(runs, run{sc, before, snapshot(t, "after")})
	}
	reported := goleakIDs(goleak.Find(ignore))

	for _, rn := range runs {
		sc := rn.sc
		t.Run(sc.Name, func(t *testing.T) {
			was := map[int64]bool{}
			for _, g := range rn.before.Groups {
				for _, id := range g.IDs() {
					was[id] = true
				}
			}
			var oracle []int64
			for _, g := range rn.after.Groups {
				for _, id := range g.IDs() {
					if !was[id] && slices.Contains(reported, id) {
						oracle = append(oracle, id)
					}
				}
			}
			slices.Sort(oracle)

			r := classify.Compare([]*parse.Snapshot{rn.before, rn.after}, &classify.Options{Sources: []fs.FS{classify.SourceDir("..")}})
			var leaked, doubtful []int64
			counts := map[classify.Label]int{}
			for _, g := range r.Groups {
				switch {
				case g.Verdict == classify.Leak:
					leaked = append(leaked, g.NewIDs...)
					counts[g.Label] += len(g.NewIDs)
				case len(g.NewIDs) > 0:
					doubtful = append(doubtful, g.NewIDs...)
				}
			}
			slices.Sort(leaked)
			for _, id := range leaked {
				if !slices.Contains(oracle, id) {
					t.Errorf("stackdiff says goroutine %d leaked; goleak does not report it (goleak: %v)", id, oracle)
				}
			}
			for _, id := range oracle {
				if !slices.Contains(leaked, id) && !slices.Contains(doubtful, id) {
					t.Errorf("goleak reports goroutine %d; stackdiff has it in no new group", id)
				}
			}
			if !sc.Leaks {
				if len(leaked) > 0 {
					t.Errorf("fixed scenario: stackdiff found leaks %v", counts)
				}
				return
			}
			if len(oracle) == 0 {
				t.Error("goleak reports none of this leak's goroutines")
			}
			if got := counts[classify.Label(sc.Want)]; got != sc.WantCount {
				t.Errorf("leaked goroutines labelled %s = %d, want %d (all leak labels: %v)", sc.Want, got, sc.WantCount, counts)
			}
		})
	}
}

// snapshot dumps every goroutine of the test process but the caller.
func snapshot(t *testing.T, name string) *parse.Snapshot {
	t.Helper()
	s, err := capture.Take()
	if err != nil {
		t.Fatal(err)
	}
	s.Name = name
	return s
}

var reGoleakID = regexp.MustCompile(`Goroutine (\d+) in state`)

// goleakIDs extracts the goroutine IDs from goleak's error message.
func goleakIDs(err error) []int64 {
	var ids []int64
	if err == nil {
		return ids
	}
	for _, m := range reGoleakID.FindAllStringSubmatch(err.Error(), -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
