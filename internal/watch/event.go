package watch

import (
	"time"

	"github.com/stackdiff/stackdiff/classify"
)

// Kind says what an [Event] is about. The kinds a user sees keep the
// names of stackdiff --watch --json's "event" field.
type Kind string

// The events of a watch.
const (
	Growing   Kind = "growing"   // rose at 2 fetches (or K, if smaller) out of the last 2K, never falling
	Threshold Kind = "threshold" // reached Options.Threshold goroutines at one site
	Leak      Kind = "leak"      // classify judged the group a leak by what the watch saw, for the first time
	Down      Kind = "down"      // a fetch failed after a success (or at the start), or failed otherwise than the last
	Up        Kind = "up"        // a fetch worked after a failure
	Restart   Kind = "restart"   // the target is a new process: compared anew from here
	Note      Kind = "note"      // said once of a target: the leak profile's fallback
	Round     Kind = "round"     // the end of a round, with the watch's status
	Summary   Kind = "summary"   // the end of the watch
)

// Event is one thing a watch tells its sink. Which fields are set depends
// on Kind.
type Event struct {
	Kind Kind
	// Target is the target's name: its URL with the password redacted;
	// "" for Round and Summary.
	Target string
	// Time is when the fetch that raised the event ended; for Summary,
	// when the watch ended.
	Time time.Time
	// Group is the group the event is about, as it was when the event was
	// raised (Growing, Threshold, Leak): a group of a classify.Compare of
	// the target's first dump with this fetch's, so its counts are [the
	// start of the watch, this fetch].
	Group *classify.Group
	// Why is the rule that raised the event, in words; for Restart, how
	// the new process was told; for Note, the note.
	Why string
	// Trend is the group's count at each fetch of the window, oldest
	// first.
	Trend []int
	// GrowsOn and Targets say on how many of the targets that answered
	// this round the group grows over the window (several targets only).
	GrowsOn, Targets int
	// Err says why a target is down (Down): what failed and what was
	// expected, without the URL, which Target names.
	Err error
	// Status is the watch's state at the end of a round (Round).
	Status *Status
	// End closes the watch (Summary).
	End *End
}

// Status is the state of a watch at the end of a round.
type Status struct {
	Round      int // rounds done, this one included
	Count      int // Options.Count: 0 for a watch without end
	Targets    int
	Down       int // targets whose last fetch failed
	LeakGroups int // leak groups over every target
}

// End is what a watch saw, when it ends.
type End struct {
	Rounds int
	Took   time.Duration
	// Leak and Suspect say whether a Leak event, and a Growing or
	// Threshold event (or a sighting classify judged a suspect), were
	// raised: a command's exit status.
	Leak, Suspect bool
	Targets       []TargetEnd // in the order of Options.Targets
}

// TargetEnd is the end of a watch for one target.
type TargetEnd struct {
	Name    string // the URL, its password redacted
	Fetches int    // fetches that gave a dump
	Failed  int    // fetches that did not
	LastErr error  // the last failure; nil if none
	// LeakGroups counts the groups found leaking; Leaks holds the first
	// MaxLeaksKept of them, without their goroutine IDs, ordered by ID.
	LeakGroups int
	Leaks      []*classify.Group
	// Untracked is the most groups of one dump left out, the smallest,
	// because the dump had more than MaxTracked groups.
	Untracked int
}
