package parse

import (
	"bytes"
	"strconv"
)

// The pprof debug=1 text format is already aggregated:
//
//	goroutine profile: total 25
//	2 @ 0x44f5f4 0x48cacb 0x524954 0x48b9a1
//	# labels: {"handler":"checkout"}
//	#	0x524953	main.spin+0x13	/app/main.go:232
//
// There are no goroutine IDs, no wait states and no creators. The
// goroutineleak profile uses the same format, and lists only goroutines its
// GC proved leaked.

type debug1Block struct {
	count  int
	labels string
	frames frameCap
	skip   bool // a count out of range: read, and not counted
	// onePC is set for a record of one address: a goroutine that has not
	// run yet, whose stack is only runtime.goexit (no frame line follows).
	onePC bool
}

var (
	profileTotal     = []byte(" profile: total ")
	leakProfileTotal = []byte("goroutineleak profile: total ")
)

// startDebug1 recognises the first line of a debug=1 profile.
func (t *textReader) startDebug1(line []byte) bool {
	i := bytes.Index(line, profileTotal)
	if i <= 0 || bytes.IndexByte(line[:i], ' ') >= 0 {
		return false
	}
	if _, err := strconv.Atoi(string(line[i+len(profileTotal):])); err != nil {
		return false
	}
	t.closeSnapshot()
	b := t.builder(FormatDebug1)
	b.leakProfile = bytes.HasPrefix(line, leakProfileTotal)
	b.total, _ = strconv.Atoi(string(line[i+len(profileTotal):]))
	return true
}

// debug1Line handles a line while a debug=1 profile is being read, and
// reports false when the line is none of the profile's: it ends the record
// being read, and the profile goes on after it (a note pasted between
// records) until a line that starts another dump closes it.
func (t *textReader) debug1Line(line []byte) bool {
	switch {
	case len(line) == 0:
		t.endDebug1()
		return true
	case bytes.HasPrefix(line, []byte("# labels: ")):
		if t.d1 != nil {
			t.d1.labels = string(line[len("# labels: "):])
		}
		return true
	case isDebug1Frame(line):
		if t.d1 != nil {
			t.d1.frames.add(debug1Frame(line[1:]))
		} else {
			t.cur.strayFrames++
		}
		return true
	}
	if t.startRecord(line) {
		return true
	}
	t.endDebug1()
	return false
}

// startRecord starts a record on its "N @ 0x..." line.
func (t *textReader) startRecord(line []byte) bool {
	n, rest, ok := bytes.Cut(line, []byte(" @ "))
	if !ok || !isCount(n) || !isPCs(rest) {
		return false
	}
	t.endDebug1()
	c, err := strconv.ParseInt(string(n), 10, 64)
	t.d1 = &debug1Block{count: int(c), onePC: len(bytes.Fields(rest)) == 1}
	if err != nil || !t.cur.admitCount(c) {
		t.cur.badCount(string(n))
		t.d1.skip = true
	}
	return true
}

// startBareRecord starts a debug=1 profile on a record line without the
// "goroutine profile: total N" line before it (a paste that lost it).
func (t *textReader) startBareRecord(line []byte) bool {
	n, rest, ok := bytes.Cut(line, []byte(" @ "))
	if !ok || !isCount(n) || !isPCs(rest) {
		return false
	}
	t.builderFor(FormatDebug1)
	return t.startRecord(line)
}

// isPCs reports whether b is a list of hexadecimal PCs: "0x4a 0x4b".
func isPCs(b []byte) bool {
	n := 0
	for len(b) > 0 {
		var f []byte
		f, b, _ = bytes.Cut(b, []byte(" "))
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 || f[0] != '0' || f[1] != 'x' {
			return false
		}
		for _, c := range f[2:] {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		n++
	}
	return n > 0
}

// isDebug1Frame reports whether line is a frame line of a record, "#\t0x...",
// also with spaces where the runtime wrote a tab (a paste).
func isDebug1Frame(line []byte) bool {
	if len(line) < 2 || line[0] != '#' || line[1] != '\t' && line[1] != ' ' {
		return false
	}
	return bytes.HasPrefix(trimIndent(line[1:]), []byte("0x"))
}

// isCount reports whether b is a decimal integer, with an optional sign.
func isCount(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// debug1Frame reads "0x524953\tmain.spin+0x13\t/app/main.go:232".
func debug1Frame(b []byte) Frame {
	f := bytes.Fields(b)
	var fr Frame
	if len(f) >= 2 {
		name := f[1]
		if i := bytes.LastIndex(name, []byte("+0x")); i > 0 {
			name = name[:i]
		}
		fr.Func = string(name)
	}
	if len(f) >= 3 {
		fr.File, fr.Line = splitFileLine(f[2])
	}
	return fr
}

func (t *textReader) endDebug1() {
	d := t.d1
	t.d1 = nil
	if d == nil || t.cur == nil || d.skip {
		return
	}
	b := t.cur
	if d.frames.n == 0 && !d.onePC {
		t.warnf("a record of %d %s has no frames", d.count, plural(d.count, "goroutine"))
	}
	frames, cut := d.frames.result()
	gr := b.group("", b.leakProfile, false, stack{frames: frames, elided: cut})
	gr.Count += d.count
	b.count += d.count
	if labels := b.internLabels(d.labels); labels.m != nil {
		b.addLabelSet(gr, labels, d.count)
	}
}

// addLabelSet counts n goroutines of a group under a label set: one
// goroutine of a traceback, or a debug=1 record. Records with one stack and
// different labels are separate in the profile and merge into one group
// here, so a group collects many sets; they are sorted when the snapshot is
// finished.
func (b *builder) addLabelSet(gr *Group, labels internedLabels, n int) {
	if b.labelSets == nil {
		b.labelSets = groupLabels{}
	}
	b.labelSets.add(gr, labels.key, labels.m, n)
}
