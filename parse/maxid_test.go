package parse_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stackdiff/stackdiff/parse"
)

// TestMaxID: the highest goroutine ID of a dump, as its headers say, even
// once that goroutine is taken out; 0 for a format without IDs.
func TestMaxID(t *testing.T) {
	header := regexp.MustCompile(`(?m)^goroutine (\d+) \[`)
	for _, name := range []string{"generated/goroutineleak_debug2.txt", "generated/fatal_concurrent_map_writes_all.txt"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		for _, m := range header.FindAllSubmatch(raw, -1) {
			id, _ := strconv.ParseInt(string(m[1]), 10, 64)
			want = max(want, id)
		}
		s := readOne(t, name)
		if got := s.MaxID(); want == 0 || got != want {
			t.Errorf("%s: MaxID %d, want %d", name, got, want)
		}
		// Taken out, the newest goroutine still tells how recent the
		// snapshot is.
		if n := s.Drop("test", false, func(g *parse.Group, m parse.Member) bool { return m.ID == want }); n != 1 {
			t.Fatalf("%s: dropped %d goroutines with ID %d", name, n, want)
		}
		if got := s.MaxID(); got != want {
			t.Errorf("%s: MaxID %d once goroutine %d is taken out, want %d", name, got, want, want)
		}
	}
	if got := readOne(t, "generated/goroutineleak_debug1.txt").MaxID(); got != 0 {
		t.Errorf("debug=1: MaxID %d, want 0", got)
	}
}
