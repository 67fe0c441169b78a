package classify_test

import (
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// TestLongPathCostsLinear: a frame whose file path is 90,000 characters
// of 30,000 elements (a real SIGQUIT dump with one path rewritten) is
// looked up in the source roots at a cost that follows the path's length:
// every suffix of it was once built before any was tried (1.4 GB, 25 s).
func TestLongPathCostsLinear(t *testing.T) {
	b, err := os.ReadFile("../parse/testdata/generated/sigquit_gotraceback_all.txt")
	if err != nil {
		t.Fatal(err)
	}
	const file = "/app/zoo/internal/states/states.go" // the file of its channel waits
	if !strings.Contains(string(b), file) {
		t.Fatalf("the dump names no %s", file)
	}
	long := strings.Repeat("ab/", 30000) + file[1:]
	cost := func(dump string) (alloc uint64, r *classify.Report) {
		s, err := parse.Read(strings.NewReader(dump), "dump")
		if err != nil {
			t.Fatal(err)
		}
		opts := &classify.Options{Sources: []fs.FS{classify.SourceDir(t.TempDir())}}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r = classify.Compare([]*parse.Snapshot{s}, opts)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, r
	}
	base, want := cost(string(b))
	alloc, got := cost(strings.ReplaceAll(string(b), file, "/"+long))
	if alloc > base+16<<20 {
		t.Errorf("Compare allocated %d MB with one 90,000-character path, %d MB without", alloc>>20, base>>20)
	}
	if len(got.Groups) != len(want.Groups) {
		t.Errorf("%d groups with the long path, %d without", len(got.Groups), len(want.Groups))
	}
}
