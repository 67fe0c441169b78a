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
func TestScenariosAgainstGoleak(t *testing.T) {
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			if sc.Setup != nil {
				t.Cleanup(sc.Setup())
			}
			before := snapshot(t, "before")
			ignore := goleak.IgnoreCurrent()
			t.Cleanup(sc.Run())
			after := snapshot(t, "after")
			oracle := goleakIDs(goleak.Find(ignore))

			r := classify.Compare([]*parse.Snapshot{before, after}, &classify.Options{Sources: []fs.FS{classify.SourceDir("..")}})
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
