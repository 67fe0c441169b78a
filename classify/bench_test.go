package classify_test

import (
	"os"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// BenchmarkCompare diffs a real dump of 100,002 goroutines with itself: the
// worst case for ID matching, every goroutine found in both snapshots.
func BenchmarkCompare(b *testing.B) {
	f, err := os.Open("../parse/testdata/generated/stack_100k_goroutines.txt.gz")
	if err != nil {
		b.Fatal(err)
	}
	s, err := parse.Read(f, "100k")
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	snaps := []*parse.Snapshot{s, s}
	b.ReportAllocs()
	for b.Loop() {
		r := classify.Compare(snaps, nil)
		if !r.SameProcess {
			b.Fatal("a dump diffed with itself is not one process")
		}
	}
}
