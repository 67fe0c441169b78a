package capture

import (
	"bytes"
	"context"
	"maps"
	"reflect"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"

	pprofile "github.com/google/pprof/profile"

	"github.com/stackdiff/stackdiff/parse"
)

// TestLabel is the pprof label key [Check] sets on a test's goroutine; its
// value names the run of the test ("TestFetch#3", "TestAll/sub#7"). The
// goroutines the test starts inherit it, so a dump or profile shows which
// test started each one (stackdiff --by-label stackdiff.test).
const TestLabel = "stackdiff.test"

// The goroutine profile at debug=1 carries each goroutine's labels on every
// Go version; the traceback header prints them only where the runtime is
// told to (Go 1.27 for modules whose go line is 1.27 or later, or
// GODEBUG=tracebacklabels=1). The profile has no goroutine IDs or states,
// so its records are matched to the goroutines of a traceback by stack.

// profile writes the named profile at debug=1 and parses it; nil when the
// runtime has no such profile.
//
//go:noinline
func profile(name string) (*parse.Snapshot, error) {
	p := pprof.Lookup(name)
	if p == nil {
		return nil, nil
	}
	var b bytes.Buffer
	if err := p.WriteTo(&b, 1); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b.Bytes(), []byte(name+" profile: total 0\n")) {
		// No record at all (the leak profile finds none): parse would say
		// there is no dump.
		return &parse.Snapshot{Name: name, Format: parse.FormatDebug1}, nil
	}
	return parse.Read(&b, name)
}

// hasLeakProfile reports whether the runtime has the goroutineleak profile
// (Go 1.27; Go 1.26 built with GOEXPERIMENT=goroutineleakprofile).
func hasLeakProfile() bool { return pprof.Lookup("goroutineleak") != nil }

// ownLabelsMu makes the goroutine in writeOwnLabels the only one there
// while the profile is written: its record is the one with that frame.
var ownLabelsMu sync.Mutex

// ownLabelsFunc is writeOwnLabels's name as stacks print it.
var ownLabelsFunc = runtime.FuncForPC(reflect.ValueOf(writeOwnLabels).Pointer()).Name()

// ownLabels returns the pprof labels of the calling goroutine (nil for
// none), read from the goroutine profile: runtime/pprof has no getter. The
// protobuf form is decoded, not parsed as a dump: this runs at the start
// of every test under Check.
func ownLabels() (map[string]string, error) {
	ownLabelsMu.Lock()
	defer ownLabelsMu.Unlock()
	var b bytes.Buffer
	if err := writeOwnLabels(&b); err != nil {
		return nil, err
	}
	p, err := pprofile.Parse(&b)
	if err != nil {
		return nil, err
	}
	for _, s := range p.Sample {
		if !sampleHasFunc(s, ownLabelsFunc) {
			continue
		}
		if len(s.Label) == 0 {
			return nil, nil
		}
		labels := map[string]string{}
		for k, vs := range s.Label {
			if len(vs) > 0 {
				labels[k] = vs[0]
			}
		}
		return labels, nil
	}
	return nil, nil
}

func sampleHasFunc(s *pprofile.Sample, fn string) bool {
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			if l.Function != nil && l.Function.Name == fn {
				return true
			}
		}
	}
	return false
}

//go:noinline
func writeOwnLabels(b *bytes.Buffer) error {
	return pprof.Lookup("goroutine").WriteTo(b, 0)
}

// goroutineIDs returns the IDs of a traceback's goroutines, read from
// their "goroutine N [" headers alone: all Check needs of the dump it takes
// when it starts.
func goroutineIDs(dump []byte) map[int64]bool {
	ids := map[int64]bool{}
	for line := range bytes.Lines(dump) {
		rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
		if !ok {
			continue
		}
		if i := bytes.IndexByte(rest, ' '); i > 0 {
			if id, err := strconv.ParseInt(string(rest[:i]), 10, 64); err == nil {
				ids[id] = true
			}
		}
	}
	return ids
}

// withLabels returns a context carrying exactly the labels of set.
func withLabels(set map[string]string) context.Context {
	ctx := context.Background()
	if len(set) == 0 {
		return ctx
	}
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(set)) {
		kv = append(kv, k, set[k])
	}
	return pprof.WithLabels(ctx, pprof.Labels(kv...))
}

func hasFunc(frames []parse.Frame, fn string) bool {
	return slices.ContainsFunc(frames, func(f parse.Frame) bool { return f.Func == fn })
}

// keyFrames is how many frames from the leaf a stack is matched by: the
// profile keeps fewer frames than a traceback prints.
const keyFrames = 16

// stackKey is what a debug=1 record and a traceback goroutine with the same
// stack have in common: the frames after the runtime's at the leaf (the
// profile hides those), up to keyFrames of them.
func stackKey(frames []parse.Frame) string {
	i := 0
	for i < len(frames) && (strings.HasPrefix(frames[i].Func, "runtime.") || strings.HasPrefix(frames[i].Func, "internal/runtime/")) {
		i++
	}
	frames = frames[i:]
	var b strings.Builder
	for _, f := range frames[:min(len(frames), keyFrames)] {
		b.WriteString(f.Func)
		b.WriteByte(' ')
		b.WriteString(f.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
		b.WriteByte('\n')
	}
	return b.String()
}

// labelled counts, by stackKey, the goroutines of an aggregated snapshot
// that carry label key=value, leaving out the records with a frame of skip
// (the caller's own stack).
func labelled(s *parse.Snapshot, key, value, skip string) map[string]int {
	need := map[string]int{}
	for _, g := range s.Groups {
		if skip != "" && hasFunc(g.Frames, skip) {
			continue
		}
		for _, ls := range g.LabelSets {
			if ls.Labels[key] == value {
				need[stackKey(g.Frames)] += ls.Count
			}
		}
	}
	return need
}

// onlyLabelled keeps, of an aggregated snapshot, the records that carry
// label key=value, counted as such, without those with a frame of skip.
func onlyLabelled(s *parse.Snapshot, key, value, skip string) *parse.Snapshot {
	groups := s.Groups[:0]
	for _, g := range s.Groups {
		n := 0
		for _, ls := range g.LabelSets {
			if ls.Labels[key] == value {
				n += ls.Count
			}
		}
		if n == 0 || (skip != "" && hasFunc(g.Frames, skip)) {
			continue
		}
		g.Count = n
		g.LabelSets = slices.DeleteFunc(g.LabelSets, func(ls parse.LabelSet) bool { return ls.Labels[key] != value })
		groups = append(groups, g)
	}
	s.Groups = groups
	parse.SortGroups(s.Groups)
	s.Cut = true
	return s
}

// testsByLabel maps the goroutines of s that carry [TestLabel] to the test
// that label names: from the traceback headers where they show labels,
// else from the goroutine profile's records, matched by stack (where two
// tests left goroutines of one stack, which goroutine is whose is a guess,
// but how many are each test's is not).
func testsByLabel(s *parse.Snapshot) map[int64]string {
	out := labelValues(s)
	for id, run := range out {
		out[id] = testOfRun(run)
	}
	if len(out) > 0 {
		return out
	}
	prof, err := profile("goroutine")
	if err != nil || prof == nil {
		return out
	}
	byKey := map[string][]parse.LabelSet{}
	for _, g := range prof.Groups {
		for _, ls := range g.LabelSets {
			if _, ok := ls.Labels[TestLabel]; ok {
				k := stackKey(g.Frames)
				byKey[k] = append(byKey[k], ls)
			}
		}
	}
	for _, g := range s.Groups {
		sets := byKey[stackKey(g.Frames)]
		for _, m := range g.Members {
			for len(sets) > 0 && sets[0].Count == 0 {
				sets = sets[1:]
			}
			if len(sets) == 0 {
				break
			}
			out[m.ID] = testOfRun(sets[0].Labels[TestLabel])
			sets[0].Count--
		}
	}
	return out
}

// testOfRun returns the test a run's label names: "TestA/sub#7" is a run
// of TestA/sub.
func testOfRun(run string) string {
	if i := strings.LastIndexByte(run, '#'); i >= 0 {
		return run[:i]
	}
	return run
}
