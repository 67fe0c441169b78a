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

// Rank orders verdicts from worst (0, leak) to best: reports sort by it.
func (v Verdict) Rank() int {
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
	// last count (largest first), then by key: a total order. A single
	// dump's are sorted by verdict, then suspicion, last count and key.
	Groups []*Group
	// SameProcess is set when the first and last snapshots come from one
	// process (shared goroutine IDs with the same creators), so that
	// goroutines are matched by ID.
	SameProcess bool
	Summary     Summary
	// IgnoreHits has one number per [Options].Ignore, in order: how many
	// groups it matched. A 0 is an ignore that matched nothing, likely a
	// misspelt name.
	IgnoreHits []int
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
	// LeftOut counts the goroutines taken out of the snapshot before it was
	// compared, by reason (parse's Drop and DropWriters).
	LeftOut []parse.LeftOut
}

// Group is a set of goroutines with one signature, followed across the
// snapshots.
type Group struct {
	// Key is the matching key (state, frames, creator); ID is its short
	// hash, what reports show.
	Key   string
	ID    string
	Label Label
	// Class, Reason and Fix come from the rule that gave the label (or
	// from the built-in label a refinement gave).
	Class   Class
	Verdict Verdict
	// Ignored is the evidence of an [Ignore] that matched the group (its
	// verdict is then ok); "" when none did.
	Ignored  string
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
	// goroutineleak GC marked "(leaked)". GCProven is the same number under
	// a name that says what it counts (JSON keeps both).
	Leaked   int
	GCProven int
	// WaitMinutes is the smallest and largest wait in the last snapshot.
	WaitMinutes [2]int
	Frames      []parse.Frame
	CreatedBy   *parse.Frame
	// Site is the blocking site: the leaf-most frame in the program's own
	// code (outside the runtime and standard library).
	Site   *parse.Frame
	Reason string
	Fix    string
	// Suspicion ranks the group for a reader: the kind of wait, the
	// goroutines blocked at its site and how long they waited (see
	// [DefaultWaits]); 0 for benign groups. A single dump's groups are sorted by
	// verdict, then suspicion.
	Suspicion int
	// Culprit marks the group of the goroutine the last snapshot's event
	// names: the one that panicked or threw, or that runs a test that
	// timed out. Reports show it first.
	Culprit bool
	// HungTest is, for a test timeout, the test the culprit runs (as go
	// test lists it under "running tests:").
	HungTest string
	// Origins say which tests or functions the group's goroutines descend
	// from, largest first: only when the last dump shows their ancestry
	// (GODEBUG=tracebackancestors=N), else nil.
	Origins []Origin
	// LabelSets are the pprof label sets of the group's goroutines in the
	// last snapshot, with counts, largest first; nil when none carry
	// labels. Split is the label pair the group was split by on request
	// ([parse.Group].Split), "" otherwise.
	LabelSets []parse.LabelSet
	Split     string
	// NoSource is set on a channel receive or select whose blocking line
	// could not be read: with its source it might have been labelled
	// timer, ticker or context-never-cancelled.
	NoSource bool
}

// Summary totals the report.
//
// The numbers add up: NewInLeakGroups ≤ New, NewInLeakGroups ≤
// InLeakGroups, GCProven ≤ InLeakGroups.
type Summary struct {
	Goroutines []int
	// New is the number of new goroutines, over every group.
	New int
	// Leaked is the number of goroutines in groups with verdict leak, new
	// or not (the contract's name); InLeakGroups is the same number.
	Leaked       int
	InLeakGroups int
	// NewInLeakGroups is the number of new goroutines in leak groups.
	NewInLeakGroups int
	// GCProven is the number of goroutines the runtime marked "(leaked)".
	GCProven      int
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
