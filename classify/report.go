package classify

import "github.com/stackdiff/stackdiff/parse"

// Verdict is stackdiff's conclusion about a group.
type Verdict string

// The verdicts, from worst to best.
const (
	Leak    Verdict = "leak"
	Suspect Verdict = "suspect"
	OK      Verdict = "ok"
)

func (v Verdict) rank() int {
	switch v {
	case Leak:
		return 0
	case Suspect:
		return 1
	}
	return 2
}

// Report is the outcome of [Compare]: every group of the snapshots with its
// counts, label and verdict.
type Report struct {
	Inputs []Input
	// Groups are sorted by verdict (leak, suspect, ok), then by delta and
	// last count (largest first), then by key: a total order.
	Groups []*Group
	// SameProcess is set when the first and last snapshots come from one
	// process (shared goroutine IDs with the same creators), so that
	// goroutines are matched by ID.
	SameProcess bool
	Summary     Summary
}

// Input describes one snapshot.
type Input struct {
	Name       string
	Format     parse.Format
	Goroutines int
	Groups     int
	Warnings   []string
	// Event says why the dump exists (a panic, a deadlock, a test
	// timeout, SIGQUIT ...); nil for a plain dump.
	Event *parse.Event
}

// Group is a set of goroutines with one signature, followed across the
// snapshots.
type Group struct {
	// Key is the matching key (state, frames, creator); ID is its short
	// hash, what reports show.
	Key      string
	ID       string
	Label    Label
	Verdict  Verdict
	Evidence []string
	State    string
	// Counts has one number per snapshot, in order.
	Counts []int
	// Delta is the last count minus the first.
	Delta int
	// New is how many goroutines are new since the first snapshot: by ID
	// when SameProcess, else the growth of the count.
	New int
	// NewIDs are the IDs present in the last snapshot and absent from the
	// first (SameProcess only).
	NewIDs []int64
	// IDs are the group's goroutine IDs in the last snapshot, ascending.
	IDs []int64
	// Leaked counts the goroutines of the last snapshot that the runtime's
	// goroutineleak GC marked "(leaked)".
	Leaked int
	// WaitMinutes is the smallest and largest wait in the last snapshot.
	WaitMinutes [2]int
	Frames      []parse.Frame
	CreatedBy   *parse.Frame
	// Site is the blocking site: the leaf-most frame in the program's own
	// code (outside the runtime and standard library).
	Site   *parse.Frame
	Reason string
	Fix    string
	// Culprit marks the group of the goroutine the last snapshot's event
	// names: the one that panicked or threw, or that runs a test that
	// timed out. Reports show it first.
	Culprit bool
	// Origins say which tests or functions the group's goroutines descend
	// from, largest first: only when the last dump shows their ancestry
	// (GODEBUG=tracebackancestors=N), else nil.
	Origins []Origin
}

// Summary totals the report.
type Summary struct {
	Goroutines    []int
	New           int
	Leaked        int
	LeakGroups    int
	SuspectGroups int
}

// Leaks returns the groups with verdict leak.
func (r *Report) Leaks() []*Group {
	var out []*Group
	for _, g := range r.Groups {
		if g.Verdict == Leak {
			out = append(out, g)
		}
	}
	return out
}
