package main

import (
	"encoding/json"

	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/internal/watch"
)

// encodeEvent prints one NDJSON line, every string of it (the target, the
// error of a down target, the group) through the gate.
func encodeEvent(enc *json.Encoder, ev watchEvent) {
	safetext.Walk(&ev)
	enc.Encode(ev)
}

// jsonEvent is the NDJSON form of an event about a target.
func jsonEvent(ev watch.Event) watchEvent {
	out := watchEvent{Target: ev.Target, Time: stampOf(ev.Time), Event: ev.Kind, Why: ev.Why, Trend: ev.Trend, GrowsOn: ev.GrowsOn, Targets: ev.Targets}
	if ev.Group != nil {
		out.Group = report.GroupJSON(ev.Group)
	}
	if ev.Err != nil {
		out.Error = ev.Err.Error()
	}
	return out
}

// watchEvent is one line of `stackdiff --watch --json` (NDJSON): what
// happened, to which target, when, and to which group.
type watchEvent struct {
	// Target is the URL watched, its password redacted.
	Target string `json:"target"`
	// Time is when the fetch that raised the event ended (RFC 3339).
	Time  string     `json:"time"`
	Event watch.Kind `json:"event"`
	// Group is the group the event is about, in the schema-v1 form of
	// groups[] (counts: [start of the watch, this fetch]); absent for
	// down, up, restart and summary.
	Group any `json:"group,omitempty"`
	// Why is the rule that raised the event, in words (for restart: how
	// the new process was told).
	Why string `json:"why,omitempty"`
	// Trend is the group's count at each fetch of the window, oldest first.
	Trend []int `json:"trend,omitempty"`
	// GrowsOn and Targets say on how many of the targets that answered
	// this round the group grows over the window (several targets only).
	GrowsOn int `json:"grows_on,omitempty"`
	Targets int `json:"targets,omitempty"`
	// Error says why a target is down: what failed and what was expected.
	Error string `json:"error,omitempty"`
	// Summary closes the watch, once per target.
	Summary *watchSummary `json:"summary,omitempty"`
}

// watchSummary is the end of a watch for one target.
type watchSummary struct {
	Fetches    int `json:"fetches"`     // fetches that gave a dump
	Failed     int `json:"failed"`      // fetches that did not
	LeakGroups int `json:"leak_groups"` // groups found leaking on this target
	// Untracked is the most groups of one dump left out, the smallest,
	// because the dump had more than the 10,000 a target follows.
	Untracked int `json:"untracked,omitempty"`
}
