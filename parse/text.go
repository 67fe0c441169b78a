package parse

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/stackdiff/stackdiff/internal/safetext"
)

// textReader reads the runtime's traceback text, one line at a time, with no
// look-back: a goroutine is grouped as soon as its block ends, so memory
// grows with the number of distinct stacks, not with the dump.
type textReader struct {
	lr     *lineReader
	name   string
	prefix *linePrefix

	snaps []*Snapshot
	kept  snapshotSample // which of the snapshots read are kept in snaps
	cur   *builder
	g     *block // goroutine in progress, or nil
	// held is a line inside g's stack that is none of it: a log line
	// written into the dump, or the end of the stack. The next line tells.
	held  []byte
	spare *block       // a finished block, reused to avoid garbage
	d1    *debug1Block // debug=1 record in progress, or nil
	// goleak is set while reading goleak's list of goroutines, race while
	// reading a data race report (see goleak.go and race.go).
	goleak *goleakList
	race   *raceReport
	// event is the panic, fatal error or signal whose lines were read
	// and whose goroutines were not yet (see event.go).
	event *pendingEvent

	// skipped is set when the last line read was skipped as text around
	// the dumps; lastLine holds its start. If the input ends inside that
	// line, a dump may have been cut off there ("goroutine 43 [runn").
	skipped  bool
	lastLine []byte

	// continuation is set after a "-----" line: GOTRACEBACK=crash prints
	// one section per thread and repeats the goroutines they run. Repeated
	// IDs are then the same goroutine, not a new dump.
	continuation bool
}

func newTextReader(r io.Reader, name string) *textReader {
	return &textReader{lr: newLineReader(r), name: name}
}

func (t *textReader) readAll() ([]*Snapshot, error) {
	if err := t.readLines(); err != nil {
		return t.done(), err
	}
	return t.finishInput(), nil
}

// readLines feeds every line of t.lr to t.line.
func (t *textReader) readLines() error {
	for {
		line, err := t.lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		t.line(line)
	}
}

// finishInput closes whatever the end of the input left open.
func (t *textReader) finishInput() []*Snapshot {
	if t.race != nil {
		t.warnf("the last data race report is truncated")
		t.endRace()
	}
	if held := t.held; held != nil && t.g != nil {
		t.held = nil
		if t.lr.cut {
			// The input ends inside the line after the stack: a frame
			// line cut off, most likely.
			t.warnf("last goroutine %s may be truncated: the input ends inside a line", t.g.idText())
			t.cut()
			t.endGoroutine()
		} else {
			t.endCut()
			t.outside(held)
		}
	}
	if t.g != nil {
		switch g := t.g; {
		case g.truncated():
			t.warnf("last goroutine %s is truncated", g.idText())
			t.cut()
		case t.lr.cut && g.created != 2:
			// (After the file line of "created by", the stack is whole:
			// the input only lacks its final newline.)
			t.warnf("last goroutine %s may be truncated: the input ends inside a line", g.idText())
			t.cut()
		case g.frames == 0 && !g.unavailable && !g.inAncestors && !g.indented:
			t.warnf("last goroutine %s has no stack: the input may be cut off", g.idText())
			t.cut()
		case g.created == 0 && g.h.id > 1 && !g.unavailable && !g.inAncestors && !g.indented && t.goleak == nil:
			// Every goroutine but main (and a thread's g0, goroutine 0)
			// ends with "created by": the input stops between two lines
			// of this one's stack.
			t.warnf("last goroutine %s may be truncated: the input ends before its \"created by\" line", g.idText())
			t.cut()
		}
		t.endGoroutine()
	}
	if t.lr.cut && t.skipped && !isRegisterLine(t.lastLine) {
		// (A SIGQUIT dump ends with the registers, "gs     0x0": a last
		// one without its newline is whole.)
		t.warnf("the input ends inside a line that could not be read, %q: the dump may be cut off there", t.lastLine)
		t.cut()
	}
	t.goleak = nil
	t.endDebug1()
	return t.done()
}

func (t *textReader) done() []*Snapshot {
	t.closeSnapshot()
	t.snaps = t.kept.finish(t.snaps)
	if t.lr.long > 0 && len(t.snaps) > 0 {
		s := t.snaps[len(t.snaps)-1]
		lines := "lines"
		if t.lr.long == 1 {
			lines = "line"
		}
		s.Warnings = append(s.Warnings, fmt.Sprintf("skipped %d %s longer than %d MiB", t.lr.long, lines, maxLine>>20))
	}
	return t.snaps
}

// cut marks the dump being read as stopping early (Snapshot.Cut).
func (t *textReader) cut() { t.builder(FormatStack).snap.Cut = true }

func (t *textReader) warnf(format string, args ...any) {
	b := t.builder(FormatStack)
	if len(b.snap.Warnings) >= MaxWarnings {
		b.moreWarnings++ // said once, in finish
		return
	}
	// A warning may quote a line of the input, up to a MiB of junk: keep
	// its start and end, as the reports would print it.
	b.snap.Warnings = append(b.snap.Warnings, safetext.Cap(fmt.Sprintf(format, args...)))
}

// line handles one input line.
func (t *textReader) line(line []byte) {
	if len(line) > 0 && line[0] == 0 {
		// The end of a hole in a log file: a run of NULs.
		line = bytes.TrimLeft(line, "\x00")
	}
	if bytes.IndexByte(line, 0x1b) >= 0 {
		line = stripEscapes(line) // a dump copied from a colouring log viewer
	}
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') && len(trimIndent(line)) == 0 && !t.lr.cut {
		line = line[:0] // a blank line of an indented paste
	}
	orig := line
	t.skipped = false
	if t.prefix != nil {
		line = t.prefix.strip(line)
	}
	if t.goleak != nil || t.race != nil {
		var done bool
		if t.race != nil {
			done = t.raceLine(line)
		} else {
			line, done = t.goleakLine(line)
		}
		if done {
			return
		}
	}
	if t.d1 != nil || t.cur != nil && t.cur.snap.Format == FormatDebug1 {
		if t.debug1Line(line) {
			return
		}
	}
	if t.g != nil {
		if t.held != nil {
			// The line before was none of the stack's. If this one goes
			// on with the stack, it was a log line written into the middle
			// of the dump; if not, the stack ended there.
			held := t.held
			t.held = nil
			if len(line) > 0 && !bytes.HasPrefix(line, goroutinePrefix) && t.g.add(line) {
				t.warnf("goroutine %d: skipped a line inside its stack: %q", t.g.h.id, held)
				return
			}
			t.endCut()
			t.outside(held)
			t.line(orig)
			return
		}
		if len(line) == 0 {
			if g := t.g; g.headerOnly() && !g.indented && t.goleak == nil {
				// The runtime prints a frame or a "created by" line
				// under every header (or says the stack is unavailable).
				t.warnf("goroutine %s has no stack", g.idText())
			}
			t.endGoroutine()
			return
		}
		if !bytes.HasPrefix(line, goroutinePrefix) && t.g.add(line) {
			return
		}
		if t.prefix != nil && len(line) < len(orig) && t.g.add(orig) {
			// The prefix cut a line of the stack: it is no prefix of
			// this dump.
			t.prefix = nil
			return
		}
		if !bytes.HasPrefix(line, goroutinePrefix) && !t.g.indented && t.goleak == nil {
			// (A goleak list ends its goroutines itself.)
			t.held = append(t.held[:0:0], line...) // decided by the next line
			return
		}
		t.endCut()
	}
	t.outside(line)
}

// endCut ends the goroutine in progress on a line that is not of its
// stack, saying so when the stack was cut in the middle.
func (t *textReader) endCut() {
	if g := t.g; g.pendingFile || g.frames == 0 && !g.unavailable && !g.inAncestors && !g.indented {
		// Off the hot path: a block that ends on a line it cannot read,
		// in the middle of its stack.
		t.warnf("goroutine %d: stack cut short by an unreadable line", g.h.id)
	}
	t.endGoroutine()
}

// outside handles a line that is not inside a goroutine block.
func (t *textReader) outside(line []byte) {
	if h, ok := parseHeader(line); ok {
		t.startGoroutine(h)
		return
	}
	switch {
	case bytes.Equal(line, []byte("-----")):
		t.continuation = true
		return
	}
	if t.eventLine(line) || t.startDebug1(line) || t.startBareRecord(line) || t.startGoleak(line) || t.startRace(line) {
		return
	}
	if k := bytes.Index(line, goroutinePrefix); k > 0 && isBlank(line[:k]) {
		// An indented header.
		if h, ok := parseHeader(line[k:]); ok {
			t.g = t.newBlock(h)
			t.g.indented = true
			return
		}
	}
	if t.prefix == nil {
		if k := bytes.Index(line, goroutinePrefix); k > 0 {
			if _, ok := parseHeader(line[k:]); ok {
				if p, ok := learnPrefix(line, k); ok {
					t.prefix = &p
					t.outside(p.strip(line))
					return
				}
			}
		}
	}
	if looksLikeHeader(line) && !t.lr.cut {
		// (A line cut by the end of the input is said once, below.)
		t.warnf("skipped a goroutine header that could not be read: %q", quotedClip(string(line)))
	}
	// Anything else is text around the dumps: skipped.
	t.skipped = true
	t.lastLine = append(t.lastLine[:0], line[:min(len(line), 64)]...)
}

func (t *textReader) startGoroutine(h header) {
	skip := t.admit(&h)
	g := t.newBlock(h)
	g.skip = skip
	t.g = g
}

// admit records goroutine id in the snapshot being built, starting a new
// snapshot if the ID was seen already, and reports whether the goroutine is
// a repeat to skip (the per-thread sections of a GOTRACEBACK=crash dump).
// The first goroutine after an event's lines takes the event.
func (t *textReader) admit(h *header) (skip bool) {
	skip = t.admitID(h)
	if !skip {
		t.warnBadLabels(h)
	}
	if t.event != nil && !skip {
		t.attachEvent(h.id)
	}
	return skip
}

func (t *textReader) admitID(h *header) (skip bool) {
	id := h.id
	if h.bigID != "" {
		t.builderFor(FormatStack)
		t.warnBigID(*h)
		return false // not a repeat: the ID says nothing
	}
	if !t.builderFor(FormatStack).ids.add(id) {
		return false // the first time this snapshot sees it
	}
	if t.continuation {
		return true // a repeat in a crash dump's per-thread sections
	}
	t.closeSnapshot()
	t.builder(FormatStack).ids.add(id)
	return false
}

// warnBadLabels says that a goroutine's labels could not be read.
func (t *textReader) warnBadLabels(h *header) {
	if h.badLabels {
		t.warnf("goroutine %s: could not read its labels %q; kept with the labels read before the fault",
			h.idText(), quotedClip("{"+h.labels+"}"))
	}
}

// warnBigID says that a goroutine is kept without its ID.
func (t *textReader) warnBigID(h header) {
	t.warnf("goroutine %s: the ID does not fit in 63 bits; kept with ID 0", h.bigID)
}

// newBlock returns an empty block for a goroutine, reusing the spare one.
func (t *textReader) newBlock(h header) *block {
	g := t.spare
	t.spare = nil
	if g == nil {
		g = &block{}
	}
	g.reset(h)
	return g
}

func (t *textReader) endGoroutine() {
	g := t.g
	t.g = nil
	t.held = nil // only ever set while g was read
	t.spare = g
	if g.indented {
		if g.frames == 0 && !g.unavailable {
			t.warnf("skipped an indented goroutine %s header with no stack", g.idText())
			return
		}
		g.skip = t.admit(&g.h)
	}
	if !g.skip {
		t.cur.add(g)
	}
}

// builder returns the snapshot being built, starting one if needed.
func (t *textReader) builder(f Format) *builder {
	if t.cur == nil {
		name := t.name
		if n := t.kept.n; n > 0 {
			name = t.name + "#" + strconv.Itoa(n+1)
		}
		t.cur = newBuilder(name, f)
	}
	return t.cur
}

// builderFor returns the snapshot being built if it has format f, and
// otherwise closes it and starts one of format f: a goleak failure or a race
// report next to a stack dump is another snapshot.
func (t *textReader) builderFor(f Format) *builder {
	if f != FormatStack {
		t.event = nil // what followed the event was not its dump
	}
	if t.cur != nil && t.cur.snap.Format != f {
		if t.cur.count == 0 && len(t.cur.snap.Groups) == 0 {
			t.cur.snap.Format = f // only warnings so far
		} else {
			t.closeSnapshot()
		}
	}
	return t.builder(f)
}

func (t *textReader) closeSnapshot() {
	t.continuation = false
	if t.cur == nil {
		return
	}
	if t.cur.count > 0 || len(t.cur.snap.Groups) > 0 || t.cur.badCounts > 0 {
		t.snaps = t.kept.add(t.snaps, t.cur.finish())
	}
	t.cur = nil
}
