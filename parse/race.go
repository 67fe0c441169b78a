package parse

import (
	"bytes"
	"strconv"
)

// A data race report of the race detector names the goroutines involved
// and prints, for each, the stack of its access, then where it was created:
//
//	==================
//	WARNING: DATA RACE
//	Read at 0x00c00009c0f0 by goroutine 8:
//	  main.(*stats).record()
//	      /app/zoo/cmd/racy/main.go:16 +0xea
//
//	Previous write at 0x00c00009c0f0 by main goroutine:
//	  ...
//
//	Goroutine 8 (running) created at:
//	  main.main()
//	      /app/zoo/cmd/racy/main.go:25 +0x174
//	==================
//
// Each goroutine named becomes one goroutine of a FormatRace snapshot: its
// frames are the first stack printed for it (an access, or the allocation
// of a heap block), its creator the leaf frame of its "created at" stack,
// its state "running" or "finished" as that line says ("running" when no
// line says). Several reports in one input give one snapshot; a goroutine
// named again in a later report keeps what the first report said.

var (
	warningDataRace   = []byte("WARNING: DATA RACE")
	raceRule          = []byte("==================")
	raceByGoroutine   = []byte(" by goroutine ")
	raceByMain        = []byte(" by main goroutine:")
	raceCreatedAt     = []byte(" created at:")
	raceGoroutineWord = []byte("Goroutine ")
)

// maxRaceLines bounds the lines kept for one stack of a report: the race
// detector prints a few dozen at most, and junk must not grow memory.
const maxRaceLines = 1024

type raceReport struct {
	gs   []*raceGoroutine // in order of first mention
	byID map[int64]*raceGoroutine
	cur  *[][]byte // the stack being read, or nil
	keep int       // lines cur may still take
}

type raceGoroutine struct {
	id      int64
	state   string
	access  [][]byte // the first stack printed for it
	creator [][]byte // its "created at" stack (the leaf frame is used)
	hasAcc  bool
	hasCre  bool
}

func (r *raceReport) goroutine(id int64) *raceGoroutine {
	if g := r.byID[id]; g != nil {
		return g
	}
	if r.byID == nil {
		r.byID = map[int64]*raceGoroutine{}
	}
	g := &raceGoroutine{id: id}
	r.byID[id] = g
	r.gs = append(r.gs, g)
	return g
}

// startRace recognises the "WARNING: DATA RACE" line that opens a report.
func (t *textReader) startRace(line []byte) bool {
	k := bytes.Index(line, warningDataRace)
	if k < 0 || !isBlank(line[k+len(warningDataRace):]) {
		return false
	}
	if k > 0 && !isBlank(line[:k]) {
		if t.prefix != nil {
			return false
		}
		p, ok := learnPrefix(line, k)
		if !ok {
			return false
		}
		t.prefix = &p
	}
	t.builderFor(FormatRace)
	t.race = &raceReport{}
	return true
}

// raceLine handles a line of a race report and reports whether it did; a
// line that starts another kind of dump ends the report and is not handled.
func (t *textReader) raceLine(line []byte) bool {
	r := t.race
	trimmed := bytes.TrimSpace(line)
	col0 := len(line) > 0 && line[0] != ' ' && line[0] != '\t'
	switch {
	case len(trimmed) == 0:
		r.cur = nil
		return true
	case bytes.HasPrefix(trimmed, raceRule):
		t.endRace()
		return true
	case bytes.Equal(trimmed, warningDataRace):
		// The closing rule is missing: a new report.
		t.endRace()
		t.race = &raceReport{}
		return true
	case col0 && trimmed[len(trimmed)-1] == ':':
		if id, ok := raceAccessID(trimmed); ok {
			g := r.goroutine(id)
			r.section(&g.access, !g.hasAcc)
			g.hasAcc = true
			return true
		}
		if id, state, ok := raceCreatedID(trimmed); ok {
			g := r.goroutine(id)
			if !g.hasCre {
				g.state = state
			}
			r.section(&g.creator, !g.hasCre)
			g.hasCre = true
			return true
		}
	}
	if col0 {
		// Column 0 and not a section of the report: program output
		// interleaved with it, or the start of another dump.
		r.cur = nil
		if bytes.HasPrefix(line, goroutinePrefix) || bytes.HasPrefix(line, []byte("panic: ")) ||
			bytes.HasPrefix(line, []byte("fatal error: ")) || bytes.HasPrefix(line, []byte("SIGQUIT: ")) {
			t.endRace()
			return false
		}
		return true
	}
	if r.cur != nil && r.keep > 0 {
		*r.cur = append(*r.cur, append([]byte(nil), line...))
		r.keep--
	}
	return true
}

// section starts reading a stack into dst, or skipping one if !first.
func (r *raceReport) section(dst *[][]byte, first bool) {
	r.cur = nil
	if first {
		r.cur = dst
		r.keep = maxRaceLines
	}
}

// raceAccessID reads "Read at 0x... by goroutine 8:", "Previous write at
// 0x... by main goroutine:", "... allocated by goroutine 7:".
func raceAccessID(line []byte) (int64, bool) {
	if bytes.HasSuffix(line, raceByMain) {
		return 1, true
	}
	i := bytes.LastIndex(line, raceByGoroutine)
	if i < 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(string(line[i+len(raceByGoroutine):len(line)-1]), 10, 64)
	return id, err == nil && id >= 0
}

// raceCreatedID reads "Goroutine 8 (running) created at:".
func raceCreatedID(line []byte) (int64, string, bool) {
	rest, ok := bytes.CutPrefix(line, raceGoroutineWord)
	if !ok || !bytes.HasSuffix(rest, raceCreatedAt) {
		return 0, "", false
	}
	rest = rest[:len(rest)-len(raceCreatedAt)]
	num, state, _ := bytes.Cut(rest, []byte(" "))
	id, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || id < 0 {
		return 0, "", false
	}
	s := "running"
	if len(state) > 2 && state[0] == '(' && state[len(state)-1] == ')' {
		s = string(state[1 : len(state)-1])
	}
	return id, s, true
}

// endRace files the goroutines of the report being read.
func (t *textReader) endRace() {
	r := t.race
	t.race = nil
	if r == nil || len(r.gs) == 0 {
		return
	}
	b := t.builderFor(FormatRace)
	// The first goroutine named is the one whose access found the race.
	setEvent(b, EventRace, "DATA RACE", r.gs[0].id)
	for _, rg := range r.gs {
		if b.seen(rg.id) {
			continue // named by an earlier report
		}
		state := rg.state
		if state == "" {
			state = "running"
		}
		g := t.newBlock(header{id: rg.id, state: state})
		for _, l := range rg.access {
			g.add(l)
		}
		g.pendingFile = false
		if fn, file, ok := raceCreator(rg.creator); ok {
			g.add(append(append([]byte(nil), createdByPrefix...), fn...))
			if file != nil {
				g.add(file)
			}
		}
		b.ids.add(rg.id)
		b.add(g)
		t.spare = g
	}
}

// raceCreator returns the leaf frame of a "created at" stack: its function
// name without "()" and its file line.
func raceCreator(lines [][]byte) (fn, file []byte, ok bool) {
	if len(lines) == 0 {
		return nil, nil, false
	}
	first := bytes.TrimSpace(lines[0])
	i := funcParen(first)
	if i <= 0 {
		return nil, nil, false
	}
	fn = first[:i]
	if len(lines) > 1 && bytes.IndexByte(lines[1], ':') > 0 {
		file = lines[1]
	}
	return fn, file, true
}
