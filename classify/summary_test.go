package classify_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/summarytest"
	"github.com/stackdiff/stackdiff/parse"
)

// TestSummaryAddsUp: Compare writes the summary from its own verdicts, so
// the totals are the groups' totals, for every sample pair, every sample
// read alone, and every corpus dump, with and without the Outlived input
// capture gives.
func TestSummaryAddsUp(t *testing.T) {
	readAll := func(path string) []*parse.Snapshot {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		snaps, err := parse.ReadAll(f, filepath.Base(path))
		if err != nil {
			return nil // the corpus holds inputs that are not dumps
		}
		return snaps
	}
	outlived := &classify.Options{Outlived: func(*classify.Group) []string { return []string{"outlived its test"} }}
	check := func(name string, snaps []*parse.Snapshot) {
		for _, opts := range []*classify.Options{nil, outlived} {
			r := classify.Compare(snaps, opts)
			if err := summarytest.Check(r); err != nil {
				t.Errorf("%s (outlived %v): %v", name, opts != nil, err)
			}
		}
	}
	pairs, _ := filepath.Glob("../samples/dumps/*/before.txt")
	if len(pairs) == 0 {
		t.Fatal("no sample pairs found")
	}
	for _, before := range pairs {
		dir := filepath.Dir(before)
		b, a := readAll(before), readAll(filepath.Join(dir, "after.txt"))
		check(dir, append(b, a...))
		check(dir+" after alone", a)
	}
	corpus, _ := filepath.Glob("../parse/testdata/*/*.txt")
	for _, p := range corpus {
		if snaps := readAll(p); len(snaps) > 0 {
			check(p, snaps)
		}
	}
}
