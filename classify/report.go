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
	Inputs []Input `json:"inputs"`
	// Groups are sorted by verdict (leak, suspect, ok), then by delta and
	// last count (largest first), then by key: a total order. A single
	// dump's are sorted by verdict, then suspicion, last count and key.
	Groups []*Group `json:"groups"`
	// SameProcess is set when the first and last snapshots come from one
	// process (shared goroutine IDs with the same creators), so that
	// goroutines are matched by ID.
	SameProcess bool    `json:"same_process"`
	Summary     Summary `json:"summary"`
}

// Input describes one snapshot.
type Input struct {
	Name       string       `json:"name"`
	Format     parse.Format `json:"format"`
	Goroutines int          `json:"goroutines"`
	Groups     int          `json:"groups"`
	Warnings   []string     `json:"warnings"`
	// Event says why the dump exists (a panic, a deadlock, a test
	// timeout, SIGQUIT ...); nil for a plain dump.
	Event *Event `json:"event,omitempty"`
}

// Event is the event of one input, as the runtime told it (see
// [parse.Event]).
type Event struct {
	Kind      parse.EventKind `json:"kind"`
	Message   string          `json:"message"`
	Goroutine int64           `json:"goroutine"`
	Tests     []string        `json:"tests"`
}

func eventOf(ev *parse.Event) *Event {
	if ev == nil {
		return nil
	}
	tests := ev.Tests
	if tests == nil {
		tests = []string{}
	}
	return &Event{Kind: ev.Kind, Message: ev.Message, Goroutine: ev.Goroutine, Tests: tests}
}

// Group is a set of goroutines with one signature, followed across the
// snapshots.
type Group struct {
	// Key is the matching key (state, frames, creator). It repeats the
	// frames, so JSON carries its short hash, ID, instead.
	Key      string   `json:"-"`
	ID       string   `json:"id"`
	Label    Label    `json:"label"`
	Verdict  Verdict  `json:"verdict"`
	Evidence []string `json:"evidence"`
	State    string   `json:"state"`
	// Counts has one number per snapshot, in order.
	Counts []int `json:"counts"`
	// Delta is the last count minus the first.
	Delta int `json:"delta"`
	// New is how many goroutines are new since the first snapshot: by ID
	// when SameProcess, else the growth of the count.
	New int `json:"new"`
	// NewIDs are the IDs present in the last snapshot and absent from the
	// first (SameProcess only).
	NewIDs []int64 `json:"new_ids"`
	// IDs are the group's goroutine IDs in the last snapshot, ascending.
	IDs []int64 `json:"ids"`
	// Leaked counts the goroutines of the last snapshot that the runtime's
	// goroutineleak GC marked "(leaked)". GCProven is the same number under
	// a name that says what it counts (JSON keeps both).
	Leaked   int `json:"leaked"`
	GCProven int `json:"gc_proven"`
	// WaitMinutes is the smallest and largest wait in the last snapshot.
	WaitMinutes [2]int        `json:"wait_minutes"`
	Frames      []parse.Frame `json:"frames"`
	CreatedBy   *parse.Frame  `json:"created_by"`
	// Site is the blocking site: the leaf-most frame in the program's own
	// code (outside the runtime and standard library).
	Site   *parse.Frame `json:"site"`
	Reason string       `json:"reason"`
	Fix    string       `json:"fix"`
	// Suspicion ranks the group for a reader: the kind of wait, the
	// goroutines blocked at its site and how long they waited (see
	// [Waits]); 0 for benign groups. A single dump's groups are sorted by
	// verdict, then suspicion.
	Suspicion int `json:"suspicion"`
	// Culprit marks the group of the goroutine the last snapshot's event
	// names: the one that panicked or threw, or that runs a test that
	// timed out. Reports show it first.
	Culprit bool `json:"culprit,omitempty"`
}

// Summary totals the report.
//
// The numbers add up: NewInLeakGroups ≤ New, NewInLeakGroups ≤
// InLeakGroups, GCProven ≤ InLeakGroups.
type Summary struct {
	Goroutines []int `json:"goroutines"`
	// New is the number of new goroutines, over every group.
	New int `json:"new"`
	// Leaked is the number of goroutines in groups with verdict leak, new
	// or not (the contract's name); InLeakGroups is the same number.
	Leaked       int `json:"leaked"`
	InLeakGroups int `json:"in_leak_groups"`
	// NewInLeakGroups is the number of new goroutines in leak groups.
	NewInLeakGroups int `json:"new_in_leak_groups"`
	// GCProven is the number of goroutines the runtime marked "(leaked)".
	GCProven      int `json:"gc_proven"`
	LeakGroups    int `json:"leak_groups"`
	SuspectGroups int `json:"suspect_groups"`
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
