package classify_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// TestHugeCountsCostNothing: a debug=1 record may claim up to
// parse.MaxCount goroutines in a few bytes; comparing two such profiles
// must not allocate in proportion to the claim (it once sized a slice by
// the count: a billion entries).
func TestHugeCountsCostNothing(t *testing.T) {
	profile := func(n string) *parse.Snapshot {
		text := "goroutine profile: total " + n + "\n" + n + " @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/app/main.go:10\n#\t0x2\tmain.main+0x2\t/app/main.go:20\n\n"
		s, err := parse.Read(strings.NewReader(text), n)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	small, big := profile("5"), profile("1073741824")
	if big.Count() != parse.MaxCount {
		t.Fatalf("big profile holds %d goroutines, want %d", big.Count(), parse.MaxCount)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := classify.Compare([]*parse.Snapshot{small, big}, nil)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("Compare allocated %d MB for two one-record profiles", alloc>>20)
	}
	if len(r.Groups) != 1 || r.Groups[0].Delta != parse.MaxCount-5 {
		t.Errorf("groups %+v, want one group growing by %d", r.Groups, parse.MaxCount-5)
	}
}
