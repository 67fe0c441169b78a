package capture

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"

	"github.com/stackdiff/stackdiff/parse"
)

// Take returns a snapshot of every goroutine of this process except the
// one calling Take: its stack is capture's own and would only be noise in
// a diff. Groups keep parse's order (Count descending, then Key).
//
// The snapshot is named "capture". An error means this process's own dump
// could not be parsed, which is a bug in stackdiff.
func Take() (*parse.Snapshot, error) {
	_, s, err := snapshot(goid(), "capture")
	return s, err
}

// dumpStacks is StacksLimit, a variable so that tests can feed snapshot a
// dump that does not parse.
var dumpStacks = StacksLimit

// snapshot takes a dump, parses it and removes goroutine self (0 removes
// none). It returns the raw dump too, for callers that keep it.
func snapshot(self int64, name string) ([]byte, *parse.Snapshot, error) {
	dump, truncated := dumpStacks(DefaultStacksLimit)
	s, err := parse.Read(bytes.NewReader(dump), name)
	if err != nil {
		// runtime.Stack output is exactly what parse exists to read; if it
		// fails, the fault is ours. Say so instead of panicking: this runs
		// inside users' production programs.
		return dump, nil, fmt.Errorf("capture: cannot parse this process's own goroutine dump (%d bytes); this is a bug in stackdiff, please report it: %w", len(dump), err)
	}
	if truncated {
		s.Warnings = append(s.Warnings, fmt.Sprintf("dump cut at the %d MiB cap", DefaultStacksLimit>>20))
	}
	if self != 0 {
		dropIDs(s, func(id int64) bool { return id == self })
	}
	// capture's own service goroutines (a DumpOnSignal loop, a Monitor)
	// are never the program's: started after a Monitor's baseline, one
	// would be called a leak by the other.
	s.Drop(whyOwn, true, func(g *parse.Group, _ parse.Member) bool { return ownService(g) })
	return dump, s, nil
}

const whyOwn = "capture's own (DumpOnSignal, Monitor)"

// ownService reports whether a group is a goroutine capture runs for its
// callers for as long as they ask: created by DumpOnSignalKeep or by a
// Monitor's Start.
func ownService(g *parse.Group) bool {
	if g.CreatedBy == nil {
		return false
	}
	switch g.CreatedBy.Func {
	case "github.com/stackdiff/stackdiff/capture.DumpOnSignalKeep",
		"github.com/stackdiff/stackdiff/capture.(*Monitor).Start":
		return true
	}
	return false
}

// dropIDs takes out the goroutines whose ID drop accepts: capture's own,
// the caller's, the expected ones, those of another test. What is left is
// not the whole process, and the snapshot says so (parse's Drop).
func dropIDs(s *parse.Snapshot, drop func(int64) bool) {
	s.Drop(whyCapture, false, func(_ *parse.Group, m parse.Member) bool { return drop(m.ID) })
}

// whyCapture is why capture's snapshots lack some goroutines.
const whyCapture = "taken out by capture: its own, the caller's or expected goroutines"

// goid returns the calling goroutine's ID from the header of its own
// traceback ("goroutine 18 [running]:"). The runtime exposes the ID
// nowhere else, and a one-goroutine traceback does not stop the world.
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b, ok := bytes.CutPrefix(b, []byte("goroutine "))
	if !ok {
		return 0
	}
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		b = b[:i]
	}
	id, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return id
}
