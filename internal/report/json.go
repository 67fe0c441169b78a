package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/parse"
)

// The wire types below are the JSON output, schema version 1 (see
// README.md). They are declared here, not taken from classify and parse, so
// that the library types can change without changing what scripts read:
// new fields may be added; none is removed or changes meaning without a
// version bump. Lists a script iterates are [] when empty, never null.

type jsonReport struct {
	Version int         `json:"version"`
	Inputs  []jsonInput `json:"inputs"`
	Groups  []jsonGroup `json:"groups"`
	// GroupsCut is additive to schema v1, absent when every group is
	// listed: the number of groups, from the end of the list, left out to
	// keep the groups within MaxJSONGroups bytes. Summary counts them all.
	GroupsCut   int         `json:"groups_cut,omitempty"`
	SameProcess bool        `json:"same_process"`
	Summary     jsonSummary `json:"summary"`
}

// MaxJSONGroups bounds the bytes of the groups a JSON report lists. A
// small compressed input can hold hundreds of thousands of distinct stacks
// (a protobuf profile refers to shared locations in a byte or two, and
// each becomes a frame of a hundred bytes of JSON): the groups are listed
// in the report's order, most telling first, as long as they fit, and the
// rest are counted in groups_cut. A report that lists every group is as it
// always was.
const MaxJSONGroups = 48 << 20

type jsonInput struct {
	Name       string   `json:"name"`
	Format     string   `json:"format"`
	Goroutines int      `json:"goroutines"`
	Groups     int      `json:"groups"`
	Warnings   []string `json:"warnings"`
	// Event is additive to schema v1: absent for a plain dump.
	Event *jsonEvent `json:"event,omitempty"`
	// LeftOut is additive to schema v1: absent when nothing was taken out.
	LeftOut []jsonLeftOut `json:"left_out,omitempty"`
}

// jsonLeftOut is a number of goroutines taken out of an input, and why
// (the goroutines serving the HTTP request that fetched a dump).
type jsonLeftOut struct {
	Why   string `json:"why"`
	Count int    `json:"count"`
}

type jsonEvent struct {
	Kind      string   `json:"kind"`
	Message   string   `json:"message" safetext:"lines"` // the runtime's lines
	Goroutine int64    `json:"goroutine"`
	Tests     []string `json:"tests"`
}

type jsonGroup struct {
	ID          string      `json:"id"`
	Label       string      `json:"label"`
	Verdict     string      `json:"verdict"`
	Evidence    []string    `json:"evidence"`
	State       string      `json:"state"`
	Counts      []int       `json:"counts"`
	Delta       int         `json:"delta"`
	New         int         `json:"new"`
	NewIDs      []int64     `json:"new_ids"`
	IDs         []int64     `json:"ids"`
	Leaked      int         `json:"leaked"`
	GCProven    int         `json:"gc_proven"` // additive: = leaked, named for what it counts
	WaitMinutes [2]int      `json:"wait_minutes"`
	Frames      []jsonFrame `json:"frames"`
	CreatedBy   *jsonFrame  `json:"created_by"`
	Site        *jsonFrame  `json:"site"`
	Reason      string      `json:"reason"`
	Fix         string      `json:"fix"`
	// Culprit is additive to schema v1: present (true) only for the group
	// the dump's event names.
	Culprit bool `json:"culprit,omitempty"`
	// Suspicion is additive to schema v1: the group's rank score (see
	// classify.DefaultWaits).
	Suspicion int `json:"suspicion"`
	// Origins are additive to schema v1: present only when the dump shows
	// the goroutines' ancestry (GODEBUG=tracebackancestors=N).
	Origins []jsonOrigin `json:"origins,omitempty"`
	// LabelSets, LabelSetsMore and ByLabel are additive to schema v1,
	// present only when some goroutine of the group carries pprof labels:
	// its label sets in the last snapshot with their counts, largest first
	// (at most 100; label_sets_more says how many more), and the "key=value"
	// the group was split by with --by-label or --ignore label:.
	LabelSets     []jsonLabelSet `json:"label_sets,omitempty"`
	LabelSetsMore int            `json:"label_sets_more,omitempty"`
	ByLabel       string         `json:"by_label,omitempty"`
}

type jsonOrigin struct {
	Test  string `json:"test,omitempty"`
	Func  string `json:"func"`
	Count int    `json:"count"`
}

type jsonFrame struct {
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type jsonSummary struct {
	Goroutines []int `json:"goroutines"`
	New        int   `json:"new"`
	Leaked     int   `json:"leaked"`
	// Additive to schema v1, named for what they count: in_leak_groups =
	// leaked; new_in_leak_groups ≤ new; gc_proven ≤ in_leak_groups.
	InLeakGroups    int `json:"in_leak_groups"`
	NewInLeakGroups int `json:"new_in_leak_groups"`
	GCProven        int `json:"gc_proven"`
	LeakGroups      int `json:"leak_groups"`
	SuspectGroups   int `json:"suspect_groups"`
}

// JSON writes the report as JSON, schema version 1.
//
// The groups are built and encoded one at a time: a dump of a million
// goroutines lists every ID, and encoding the whole report at once held it
// twice in memory (compact, then indented), tens of MB. The bytes are those
// of encoding/json's indented encoding of the whole report. At most
// MaxJSONGroups bytes of groups are listed (see groups_cut).
func JSON(w io.Writer, r *classify.Report) error {
	_, err := WriteJSON(w, r)
	return err
}

// WriteJSON is JSON, and returns the number of groups it left out (the
// groups_cut field), for a caller to say so.
func WriteJSON(w io.Writer, r *classify.Report) (groupsCut int, err error) {
	return writeJSON(w, r, MaxJSONGroups)
}

// writeJSON is WriteJSON listing at most budget bytes of groups.
func writeJSON(w io.Writer, r *classify.Report, budget int) (int, error) {
	out := wire(r)
	safetext.Walk(&out) // every string, whatever field it is in
	out.Groups = []jsonGroup{}
	head, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return 0, err
	}
	// Strings are escaped, so a newline followed by this is the field.
	marker := []byte("\n  \"groups\": []")
	i := bytes.Index(head, marker)
	if i < 0 {
		return 0, errors.New("report: no groups field in the JSON report")
	}
	i += len(marker) - 1 // at the "]"
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head[:i])
	listed := 0
	for k, g := range r.Groups {
		jg := wireGroup(g)
		safetext.Walk(&jg)
		b, err := json.MarshalIndent(&jg, "    ", "  ")
		if err != nil {
			return 0, err
		}
		if listed += len(b) + 6; k > 0 && listed > budget {
			out.GroupsCut = len(r.Groups) - k
			break
		}
		if k > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(b)
	}
	if len(r.Groups) > 0 {
		bw.WriteString("\n  ")
	}
	if out.GroupsCut > 0 {
		// The count follows the list: encode the rest again to hold it.
		if head, err = json.MarshalIndent(out, "", "  "); err != nil {
			return 0, err
		}
	}
	bw.Write(head[i:])
	bw.WriteByte('\n')
	return out.GroupsCut, bw.Flush()
}

func wire(r *classify.Report) jsonReport {
	out := jsonReport{
		Version:     1,
		SameProcess: r.SameProcess,
		Summary: jsonSummary{
			Goroutines:      r.Summary.Goroutines,
			New:             r.Summary.New,
			Leaked:          r.Summary.Leaked,
			InLeakGroups:    r.Summary.InLeakGroups,
			NewInLeakGroups: r.Summary.NewInLeakGroups,
			GCProven:        r.Summary.GCProven,
			LeakGroups:      r.Summary.LeakGroups,
			SuspectGroups:   r.Summary.SuspectGroups,
		},
	}
	for _, in := range r.Inputs {
		out.Inputs = append(out.Inputs, jsonInput{
			Name: in.Name, Format: string(in.Format), Goroutines: in.Goroutines,
			Groups: in.Groups, Warnings: copyAll(in.Warnings), Event: wireEvent(in.Event),
			LeftOut: wireLeftOut(in.LeftOut),
		})
	}
	return out
}

// GroupJSON returns g in the schema-v1 form of groups[], ready for
// encoding/json: stackdiff --watch --json prints it in its events, after
// safetext.Walk of the whole event.
func GroupJSON(g *classify.Group) any {
	w := wireGroup(g)
	return &w
}

func wireGroup(g *classify.Group) jsonGroup {
	sets, more := wireLabelSets(g.LabelSets)
	return jsonGroup{
		LabelSets: sets, LabelSetsMore: more, ByLabel: g.Split,
		ID: g.ID, Label: string(g.Label), Verdict: string(g.Verdict),
		Evidence: copyAll(g.Evidence), State: g.State, Counts: g.Counts,
		Delta: g.Delta, New: g.New, NewIDs: orEmpty(g.NewIDs), IDs: orEmpty(g.IDs),
		Leaked: g.Leaked, WaitMinutes: g.WaitMinutes, Frames: wireFrames(g.Frames),
		CreatedBy: wireFrame(g.CreatedBy), Site: wireFrame(g.Site),
		Reason: g.Reason, Fix: g.Fix, Culprit: g.Culprit,
		GCProven: g.GCProven, Suspicion: g.Suspicion, Origins: wireOrigins(g.Origins),
	}
}

func wireOrigins(origins []classify.Origin) []jsonOrigin {
	var out []jsonOrigin
	for _, o := range origins {
		out = append(out, jsonOrigin{Test: o.Test, Func: o.Func, Count: o.Count})
	}
	return out
}

// wireFrames keeps nil as null: schema v1 has always printed a group
// without a stack (one the runtime could not show) that way.
func wireFrames(fs []parse.Frame) []jsonFrame {
	if fs == nil {
		return nil
	}
	out := make([]jsonFrame, len(fs))
	for i, f := range fs {
		out[i] = jsonFrame{Func: f.Func, File: f.File, Line: f.Line}
	}
	return out
}

func wireFrame(f *parse.Frame) *jsonFrame {
	if f == nil {
		return nil
	}
	return &jsonFrame{Func: f.Func, File: f.File, Line: f.Line}
}

// copyAll is v in a new slice (never nil, [] in JSON): the writers gate
// the strings of what they print in place (safetext.Walk), and must not
// change the report they were given.
func copyAll(v []string) []string {
	out := make([]string, len(v))
	copy(out, v)
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func wireEvent(ev *parse.Event) *jsonEvent {
	if ev == nil {
		return nil
	}
	return &jsonEvent{Kind: string(ev.Kind), Message: ev.Message, Goroutine: ev.Goroutine, Tests: copyAll(ev.Tests)}
}

func wireLeftOut(v []parse.LeftOut) []jsonLeftOut {
	var out []jsonLeftOut
	for _, l := range v {
		out = append(out, jsonLeftOut{Why: l.Why, Count: l.Count})
	}
	return out
}
