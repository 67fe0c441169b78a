package classify_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

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

// TestManyLockWaitersCostLinear: thousands of distinct waiter groups of one
// type, every one a suspect (one crowded site reached from many callers),
// and thousands of candidate holders: finding the holder is one pass over
// the groups, not one pass per waiter group (a cost that grows with the
// square of the groups).
func TestManyLockWaitersCostLinear(t *testing.T) {
	var b strings.Builder
	id := 1
	for i := range 4000 {
		fmt.Fprintf(&b, "goroutine %d [sync.Mutex.Lock]:\nsync.(*Mutex).Lock(...)\n\tsync/mutex.go:1\nexample.com/app.(*Store).Get(...)\n\tapp/store.go:10\nexample.com/app.caller%d(...)\n\tapp/c.go:%d\n\n", id, i, i+1)
		id++
		fmt.Fprintf(&b, "goroutine %d [chan send]:\nexample.com/app.(*Store).Put(...)\n\tapp/store.go:20\nexample.com/app.writer%d(...)\n\tapp/w.go:%d\n\n", id, i, i+1)
		id++
	}
	snap, err := parse.Read(strings.NewReader(b.String()), "many")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := classify.Compare([]*parse.Snapshot{snap}, nil)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Compare took %v for 8000 groups", d)
	}
	if r.Summary.SuspectGroups < 4000 {
		t.Errorf("%d suspect groups, want the 4000 waiter groups", r.Summary.SuspectGroups)
	}
	for _, g := range r.Groups {
		if strings.Contains(strings.Join(g.Evidence, ";"), "may hold the lock") {
			t.Errorf("group %s named a holder among 4000 candidates", g.Site.Func)
			break
		}
	}
}
