package parse

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/stackdiff/stackdiff/internal/sigkey"
)

// Frame is one function call of a stack.
type Frame struct {
	// Func is the fully qualified function name, as the runtime prints it
	// without arguments: "net/http.(*persistConn).readLoop", "main.main.func1".
	Func string
	// File is the source file as printed in the dump (no +0x offset).
	File string
	// Line is the line number in File; 0 when the dump gives none.
	Line int
}

// Format says which kind of dump a snapshot was read from.
type Format string

// The formats Read detects, by content.
const (
	// FormatStack is the runtime's traceback text: runtime.Stack(buf, true),
	// /debug/pprof/goroutine?debug=2, panics, fatal errors and SIGQUIT dumps.
	FormatStack Format = "stack"
	// FormatDebug1 is /debug/pprof/goroutine?debug=1: records of identical
	// stacks with counts, without goroutine IDs, states or creators.
	FormatDebug1 Format = "pprof-debug1"
	// FormatProto is the protobuf goroutine profile (debug=0), gzipped or
	// not, or the goroutineleak profile in the same format.
	FormatProto Format = "pprof-proto"
	// FormatGoleak is the failure message of go.uber.org/goleak.
	FormatGoleak Format = "goleak"
	// FormatRace is a data race report of the race detector: only the
	// goroutines named in the report, with the stacks it prints.
	FormatRace Format = "race"
)

// Goroutine is one goroutine as the dump describes it.
type Goroutine struct {
	// ID is 0 when the format has no IDs, or when the ID printed does not
	// fit in 63 bits (a warning says so).
	ID int64
	// State is the wait reason without decorations: "chan send",
	// "sync.Mutex.Lock", "running". Empty when the format has no states.
	State string
	// WaitMinutes is N from ", N minutes": how long it has been blocked
	// (rounded down; the runtime prints it only from 1 minute on).
	WaitMinutes int
	Locked      bool // ", locked to thread"
	// Leaked is set by "(leaked)": the goroutineleak profile's GC found the
	// goroutine blocked on something no running goroutine can reach.
	Leaked  bool
	Durable bool // "(durable)": durably blocked inside a testing/synctest bubble
	Bubble  int  // N from ", synctest bubble N"; 0 outside a bubble
	// Labels are the pprof labels (tracebacks of Go 1.27 programs, or of Go
	// 1.26 with GODEBUG=tracebacklabels=1; debug=1 and protobuf profiles);
	// nil when there are none.
	Labels map[string]string
	// Frames are the calls of the stack, leaf (innermost) first.
	Frames []Frame
	// CreatedBy is the go statement that started the goroutine; nil for
	// goroutine 1 and for formats that do not say.
	CreatedBy *Frame
	// ParentID is N from "created by F in goroutine N" (Go 1.21+); 0 if unknown.
	ParentID int64
	// Elided counts the frames the runtime left out ("...N frames elided...")
	// and those cut beyond MaxFrames; -1 when the runtime did not say how
	// many ("...additional frames elided...").
	Elided int
	// Unavailable is set for "goroutine running on other thread; stack
	// unavailable": the dump has no frames for it.
	Unavailable bool
}

// Snapshot is one goroutine dump: every goroutine of one process at one
// moment, grouped by signature.
type Snapshot struct {
	// Name says where it came from: the name given to Read (the CLI gives a
	// file's path, a URL, or "<stdin>" for standard input),
	// with "#2" appended for the second dump of one input.
	Name   string
	Format Format
	// Groups hold every goroutine, in the order documented on [Group].
	Groups []*Group
	// Warnings are non-fatal problems: a truncated last goroutine, lines
	// that could not be read. The snapshot holds what could be read.
	Warnings []string
	// Cut reports that the snapshot does not hold every goroutine of its
	// process: the input stops inside the dump (a file or stream cut off,
	// a broken gzip), or a caller removed goroutines from it. It cannot
	// tell that a goroutine is absent from the process, so the rules that
	// need every goroutine (an exited creator, a stopped process) do not
	// apply to it.
	Cut bool
	// Event says why the dump was printed: a panic, a fatal error, a
	// signal, a test timeout, a race report, a goleak failure. Nil for a
	// plain dump (runtime.Stack, pprof profiles).
	Event *Event
	// Ancestry holds what GODEBUG=tracebackancestors=N printed, by
	// goroutine ID; nil when the dump shows none. See [Snapshot.Ancestors].
	Ancestry map[int64]*Ancestry
	// LeftOut counts the goroutines a caller took out ([Snapshot.Drop],
	// [Snapshot.DropWriters]), by reason; Groups no longer hold them.
	LeftOut []LeftOut
	// Taken is when the profile was taken, as a protobuf profile records
	// it; zero for the formats that do not say.
	Taken time.Time
}

// Count returns the number of goroutines in the snapshot.
func (s *Snapshot) Count() int {
	n := 0
	for _, g := range s.Groups {
		n += g.Count
	}
	return n
}

// MaxID returns the highest goroutine ID of the snapshot, those taken out
// ([LeftOut].MaxID) included, 0 when the format has no IDs. IDs only grow
// within a process: a goroutine with an ID above another snapshot's MaxID
// was started after it, and the goroutine that wrote the dump is its
// newest.
func (s *Snapshot) MaxID() int64 {
	var hi int64
	for _, l := range s.LeftOut {
		hi = max(hi, l.MaxID)
	}
	for _, g := range s.Groups {
		for _, m := range g.Members {
			hi = max(hi, m.ID)
		}
	}
	return hi
}

// Group is a set of goroutines with the same signature: same state, same
// leaked mark, same frames (function, file, line) and same creator function.
// Argument values, IDs, parent IDs, wait times and labels may differ.
//
// A snapshot's groups are sorted by Count (largest first), then by Key, a
// total order: the same dump always gives the same order.
type Group struct {
	// Key is the normalized signature; equal keys mean the same group, in
	// this snapshot or another one. A signature over 1024 bytes is kept as
	// its start and the SHA-256 of the whole, so a key's size is bounded.
	Key       string
	State     string
	Leaked    bool
	Frames    []Frame // leaf first
	CreatedBy *Frame
	Elided    int
	// Unavailable is set when the runtime printed no stack for these
	// goroutines; they are grouped by state only.
	Unavailable bool
	// Count is the number of goroutines in the group. For formats that carry
	// one record per goroutine it equals len(Members).
	Count int
	// Members are the group's goroutines in dump order; empty for aggregated
	// formats (pprof debug=1 and protobuf), which only give counts.
	Members []Member
	// LabelSets says how many of the group's goroutines carry each pprof
	// label set (the distinct sets of its Members, or of the records and
	// samples of aggregated formats): largest count first, then by labels.
	// Goroutines without labels are not listed; nil when none carry labels.
	// Labels never split a group, unless asked: see Split.
	LabelSets []LabelSet
	// Split is "key=value" when the goroutines of this stack with that
	// label were split from the others ([SplitByLabel], [SplitOffLabel]);
	// several such pairs are separated by spaces. Empty otherwise.
	Split string
}

// SortGroups puts groups in a snapshot's documented order: Count
// descending, then Key. A caller that changes counts (drops goroutines)
// restores the order with it.
func SortGroups(gs []*Group) {
	slices.SortFunc(gs, func(x, y *Group) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
}

// LabelSet is one pprof label set of a group and the number of its
// goroutines that carry it.
type LabelSet struct {
	Labels map[string]string
	Count  int
}

// Member is what distinguishes one goroutine of a group from the others,
// kept compact because a dump may hold a million of them.
type Member struct {
	ID          int64
	ParentID    int64
	WaitMinutes int32
	Bubble      int32
	Flags       MemberFlags
	// Labels is the pprof label set, interned: identical sets share one map.
	Labels map[string]string
}

// MemberFlags are the boolean decorations of a goroutine header.
type MemberFlags uint8

// The header decorations kept per goroutine.
const (
	FlagLocked MemberFlags = 1 << iota
	FlagDurable
)

// IDs returns the goroutine IDs of the group in dump order (nil for
// aggregated formats).
func (g *Group) IDs() []int64 {
	if len(g.Members) == 0 {
		return nil
	}
	ids := make([]int64, len(g.Members))
	for i, m := range g.Members {
		ids[i] = m.ID
	}
	return ids
}

// WaitRange returns the smallest and largest wait, in minutes, of the
// group's goroutines.
func (g *Group) WaitRange() (lo, hi int) {
	for i, m := range g.Members {
		w := int(m.WaitMinutes)
		if i == 0 || w < lo {
			lo = w
		}
		if w > hi {
			hi = w
		}
	}
	return lo, hi
}

// Goroutine returns member i of the group as a full [Goroutine].
func (g *Group) Goroutine(i int) Goroutine {
	m := g.Members[i]
	return Goroutine{
		ID:          m.ID,
		State:       g.State,
		WaitMinutes: int(m.WaitMinutes),
		Locked:      m.Flags&FlagLocked != 0,
		Leaked:      g.Leaked,
		Durable:     m.Flags&FlagDurable != 0,
		Bubble:      int(m.Bubble),
		Labels:      m.Labels,
		Frames:      g.Frames,
		CreatedBy:   g.CreatedBy,
		ParentID:    m.ParentID,
		Elided:      g.Elided,
		Unavailable: g.Unavailable,
	}
}

// Goroutines returns every goroutine of the snapshot, sorted by ID (formats
// without IDs give none). It builds them all: for very large dumps prefer
// walking the groups.
func (s *Snapshot) Goroutines() []Goroutine {
	var out []Goroutine
	for _, g := range s.Groups {
		for i := range g.Members {
			out = append(out, g.Goroutine(i))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// signature builds the normalized key of a group from its parsed parts.
// Parent IDs, arguments and PC offsets are never part of it, so identical
// goroutines started by different parents land in one group. A long
// signature is kept as its start and a digest (see package sigkey): the
// frames of a protobuf profile are shared by its samples, and their full
// texts, one per group, multiplied what the profile holds.
func signature(state string, leaked, unavailable bool, frames []Frame, createdBy *Frame) string {
	var b sigkey.Builder
	n := len(state) + len(" (leaked)") + len(" (unavailable)")
	for _, f := range frames {
		n += len(f.Func) + len(f.File) + 8
		if n > sigkey.Max {
			break
		}
	}
	b.Grow(n)
	b.WriteString(state)
	if leaked {
		b.WriteString(" (leaked)")
	}
	if unavailable {
		b.WriteString(" (unavailable)")
	}
	for _, f := range frames {
		b.WriteByte('\n')
		writeFrame(&b, f)
	}
	if createdBy != nil {
		b.WriteString("\ncreated by ")
		b.WriteString(createdBy.Func)
	}
	return b.String()
}

func writeFrame(b *sigkey.Builder, f Frame) {
	b.WriteString(f.Func)
	b.WriteByte(' ')
	b.WriteString(f.File)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(f.Line))
}
