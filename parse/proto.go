package parse

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// The protobuf goroutine profile (/debug/pprof/goroutine?debug=0,
// pprof.Lookup("goroutine").WriteTo(w, 0)) is aggregated like debug=1: one
// sample per distinct stack and label set, its value the number of
// goroutines. Unlike the text tracebacks it keeps the runtime's own frames
// (runtime.gopark, runtime.chanrecv1 ...), and it has no IDs, states or
// creators. The goroutineleak profile (GOEXPERIMENT=goroutineleakprofile)
// has the same shape and names its sample type "goroutineleak"; every
// goroutine it lists is leaked.

// maxProto bounds the size of a protobuf profile (after gunzip), which has
// to be held in memory to be parsed. The runtime writes one sample per
// distinct stack and label set: a million goroutines with a distinct label
// each make a profile of a few tens of MB.
const maxProto = 256 << 20

// errProtoTooLarge is returned for a protobuf profile larger than maxProto.
var errProtoTooLarge = fmt.Errorf("protobuf profile larger than %d MiB", maxProto>>20)

// isProto reports whether a binary input looks like an uncompressed
// protobuf profile: the head must read as a sequence of well-formed fields
// of the Profile message (field numbers 1 to 20, varint or length-delimited
// as the schema says; the last field may be cut by the end of head).
func isProto(head []byte) bool {
	fields := 0
	for len(head) > 0 {
		tag, n := uvarint(head)
		if n <= 0 {
			return n == 0 && fields > 0 // cut inside a tag
		}
		head = head[n:]
		field, wire := tag>>3, tag&7
		if field < 1 || field > 20 {
			return false
		}
		switch wire {
		case 0:
			_, n := uvarint(head)
			if n == 0 {
				return fields > 0
			}
			if n < 0 {
				return false
			}
			head = head[n:]
		case 2:
			if (field >= 7 && field <= 10) || field == 12 || field == 14 {
				return false // int64 fields of the schema
			}
			l, n := uvarint(head)
			if n == 0 {
				return fields > 0
			}
			if n < 0 || l > maxProto {
				return false
			}
			head = head[n:]
			if l >= uint64(len(head)) {
				return true // the field runs past the head
			}
			head = head[l:]
		default:
			return false
		}
		fields++
	}
	return fields > 0
}

// uvarint decodes a protobuf varint: n > 0 bytes read, 0 if b ends inside
// it, -1 if it is longer than 10 bytes.
func uvarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b); i++ {
		if i == 10 {
			return 0, -1
		}
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// readProto reads an uncompressed protobuf profile (ReadAll has already
// removed any gzip layer). It holds the whole profile in memory, at most
// maxProto bytes.
func readProto(r io.Reader, name string) ([]*Snapshot, error) {
	return readProtoMax(r, name, maxProto)
}

func readProtoMax(r io.Reader, name string, limit int) ([]*Snapshot, error) {
	data, cuts, err := scanProfile(r, limit)
	if err == errProtoTooLarge {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("protobuf profile: %w", err)
	}
	p, err := parseProfile(data)
	if err != nil {
		return nil, fmt.Errorf("protobuf profile: %w", err)
	}
	s, err := profileSnapshot(p, name, cuts)
	if err != nil {
		return nil, err
	}
	return []*Snapshot{s}, nil
}

// parseProfile parses the protobuf, turning a panic of the decoder on
// hostile input into an error.
func parseProfile(data []byte) (p *profile.Profile, err error) {
	defer func() {
		if e := recover(); e != nil {
			p, err = nil, fmt.Errorf("malformed profile: %v", e)
		}
	}()
	return profile.ParseUncompressed(data)
}

// profileSnapshot turns a goroutine (or goroutineleak) profile into groups.
// cuts counts the locations cut from long samples, by sample index.
func profileSnapshot(p *profile.Profile, name string, cuts map[int]int) (*Snapshot, error) {
	vi, leak, err := goroutineValue(p)
	if err != nil {
		return nil, err
	}
	b := newBuilder(name, FormatProto)
	frames := newLocationFrames()
	for i, s := range p.Sample {
		if vi >= len(s.Value) {
			continue
		}
		if v := s.Value[vi]; !b.admitCount(v) {
			b.badCount(strconv.FormatInt(v, 10))
			continue
		}
		n := int(s.Value[vi])
		fs, cut := frames.sampleFrames(s)
		gr := b.group("", leak, false, stack{frames: fs, elided: cut + cuts[i]})
		gr.Count += n
		b.count += n
		if labels := sampleLabels(s); labels != nil {
			// A profile may hold thousands of label sets (a request ID)
			// on one stack: they are found by key, not by a scan.
			b.addLabelSet(gr, internedLabels{m: labels, key: labelKey(labels)}, n)
		}
	}
	snap := b.finish()
	if p.TimeNanos > 0 {
		snap.Taken = time.Unix(0, p.TimeNanos).UTC()
	}
	if len(p.Sample) == 0 {
		snap.Warnings = append(snap.Warnings, "the profile has no samples")
	}
	return snap, nil
}

// goroutineValue finds the value that counts goroutines, and whether the
// profile is a goroutineleak profile. Any other profile (CPU, heap) holds no
// goroutines.
func goroutineValue(p *profile.Profile) (index int, leak bool, err error) {
	var types []string
	for i, st := range p.SampleType {
		switch st.Type {
		case "goroutine":
			return i, false, nil
		case "goroutineleak":
			return i, true, nil
		}
		types = append(types, st.Type+"/"+st.Unit)
	}
	if pt := p.PeriodType; pt != nil && len(p.SampleType) == 1 {
		switch pt.Type {
		case "goroutine":
			return 0, false, nil
		case "goroutineleak":
			return 0, true, nil
		}
	}
	return 0, false, fmt.Errorf("%w: protobuf profile of %s, not of goroutines", ErrNoDump, strings.Join(types, ", "))
}

// locationFrames builds each location's frames once, and each function's
// names once: the samples of a profile refer to shared locations, and
// locations to shared functions, so a stack built anew for each sample
// elided, cut and copied a name as many times as samples held it.
type locationFrames struct {
	locs  map[*profile.Location][]Frame
	funcs map[*profile.Function]Frame // Func and File of a function
}

func newLocationFrames() *locationFrames {
	return &locationFrames{locs: map[*profile.Location][]Frame{}, funcs: map[*profile.Function]Frame{}}
}

// of returns the frames of a location, innermost inlined call first.
func (lf *locationFrames) of(loc *profile.Location) []Frame {
	if fs, ok := lf.locs[loc]; ok {
		return fs
	}
	var fs []Frame
	if len(loc.Line) == 0 {
		// Not symbolized: the address is all there is.
		fs = []Frame{{Func: "0x" + strconv.FormatUint(loc.Address, 16)}}
	} else {
		fs = make([]Frame, len(loc.Line))
		for i, ln := range loc.Line {
			if ln.Function != nil {
				fs[i] = lf.function(ln.Function)
			}
			fs[i].Line = int(ln.Line)
		}
	}
	lf.locs[loc] = fs
	return fs
}

// function returns the names of a function as frames show them.
func (lf *locationFrames) function(fn *profile.Function) Frame {
	f, ok := lf.funcs[fn]
	if !ok {
		f = Frame{Func: boundName(elideTypeArgs(fn.Name), MaxFuncName), File: boundName(fn.Filename, MaxFileName)}
		lf.funcs[fn] = f
	}
	return f
}

// sampleFrames lists the frames of a sample, leaf first: Location[0] is the
// leaf, and within a location Line[0] is the innermost inlined call.
// At most MaxFrames are kept, with the number cut.
func (lf *locationFrames) sampleFrames(s *profile.Sample) ([]Frame, int) {
	n := 0
	for _, loc := range s.Location {
		n += len(lf.of(loc))
	}
	if n <= MaxFrames {
		frames := make([]Frame, 0, n)
		for _, loc := range s.Location {
			frames = append(frames, lf.locs[loc]...)
		}
		return frames, 0
	}
	c := frameCap{items: make([]Frame, 0, MaxFrames)}
	for _, loc := range s.Location {
		for _, f := range lf.locs[loc] {
			c.add(f)
		}
	}
	return c.result()
}

// elideTypeArgs writes a generic function's type arguments as the text
// tracebacks do: the profile names "states.Drain[go.shape.string]" and
// "(*List[go.shape.int]).Push", a traceback "states.Drain[...]" and
// "(*List[...]).Push". The same goroutine must match in both.
func elideTypeArgs(name string) string {
	i := strings.IndexByte(name, '[')
	if i < 0 || strings.HasPrefix(name[i:], "[...]") && strings.IndexByte(name[i+5:], '[') < 0 {
		return name
	}
	var b strings.Builder
	depth := 0
	for _, r := range name {
		switch {
		case r == '[':
			if depth == 0 {
				b.WriteString("[...]")
			}
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sampleLabels returns the string labels of a sample, nil if none. A key
// with several values (never written by the runtime) keeps them joined.
func sampleLabels(s *profile.Sample) map[string]string {
	if len(s.Label) == 0 {
		return nil
	}
	m := make(map[string]string, len(s.Label))
	for k, v := range s.Label {
		if len(v) > 0 {
			m[k] = strings.Join(v, ",")
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
