package parse

import (
	"bytes"
	"regexp"
)

// go.uber.org/goleak reports leaked goroutines as a Go-formatted slice of
// its Stack values, each "Goroutine N in state S, with F on top of the
// stack:\n" followed by the goroutine's lines from runtime.Stack (without
// its header, up to and including "created by"; versions before 1.2 printed
// the header too). In go test output the
// whole message is indented by the testing package:
//
//	    store_test.go:19: found unexpected goroutines:
//	        [Goroutine 20 in state select, with pkg.(*Store).flusher on top of the stack:
//	        pkg.(*Store).flusher(0x3bc3670220c0)
//	        	/app/zoo/internal/store/store.go:25 +0xa5
//	        created by pkg.New in goroutine 19
//	        	/app/zoo/internal/store/store.go:17 +0xc5
//	         Goroutine 21 in state chan send, with pkg.(*Store).Watch.func1 on top of the stack:
//	        ...
//	        ]
//
// The indentation of the first line is stripped from the lines that follow
// and the stack lines go through the ordinary goroutine block.

var (
	goleakGoroutine = []byte("Goroutine ")
	goleakOpen      = []byte("[Goroutine ")
	goleakInState   = []byte(" in state ")
	goleakWith      = []byte(", with ")
	onTopOfStack    = []byte(" on top of the stack:")
)

// goleakList is the state of a goleak list being read.
type goleakList struct {
	indent []byte // stripped from every line of the list
}

// parseGoleakHeader parses "Goroutine 20 in state select, with F on top of
// the stack:". The state is what goleak took from the runtime's header, so
// it carries the same decorations (", 1 minutes", " (leaked)").
func parseGoleakHeader(s []byte) (header, bool) {
	var h header
	rest, ok := bytes.CutPrefix(s, goleakGoroutine)
	if !ok || !bytes.HasSuffix(rest, onTopOfStack) {
		return h, false
	}
	id, big, rest, ok := cutID(rest)
	if !ok {
		return h, false
	}
	h.bigID = big
	rest, ok = bytes.CutPrefix(rest, goleakInState)
	if !ok {
		return h, false
	}
	// The function name has no ", with " in it; the state (with labels)
	// might, so cut at the last one.
	w := bytes.LastIndex(rest, goleakWith)
	if w < 0 {
		return h, false
	}
	h.id = id
	h.parseStatus(string(rest[:w]))
	return h, true
}

// startGoleak recognises the first line of a goleak list (outside any list).
func (t *textReader) startGoleak(line []byte) bool {
	if !bytes.HasSuffix(line, onTopOfStack) {
		return false
	}
	k := bytes.Index(line, goleakGoroutine)
	if k < 0 {
		return false
	}
	h, ok := parseGoleakHeader(line[k:])
	if !ok {
		return false
	}
	lead := line[:k]
	opening := k > 0 && lead[k-1] == '['
	if opening {
		lead = lead[:k-1]
	} else if n := len(lead); n > 0 && lead[n-1] == ' ' {
		lead = lead[:n-1] // the space goleak puts between two entries
	}
	indent, ok := t.goleakIndent(line, lead)
	if !ok {
		return false
	}
	b := t.builderFor(FormatGoleak)
	if opening && b.count > 0 {
		// A second list (another failing test): another snapshot.
		t.closeSnapshot()
	}
	t.goleak = &goleakList{indent: append([]byte(nil), indent...)}
	t.startGoleakGoroutine(h)
	return true
}

// goleakIndent decides what precedes the list on each of its lines: the
// indentation of go test, possibly after a log prefix learnt here.
func (t *textReader) goleakIndent(line, lead []byte) ([]byte, bool) {
	if isBlank(lead) {
		return lead, true
	}
	if t.prefix == nil {
		// A varying log prefix (timestamps) then indentation.
		for _, re := range []*regexp.Regexp{reRFC3339, reSyslog} {
			if loc := re.FindIndex(line); loc != nil && loc[1] <= len(lead) && isBlank(lead[loc[1]:]) {
				t.prefix = &linePrefix{re: re}
				return lead[loc[1]:], true
			}
		}
	}
	// A constant prefix ("app-1  | ") and indentation.
	if last := lead[len(lead)-1]; last == ' ' || last == '\t' {
		return lead, true
	}
	return nil, false
}

func (t *textReader) startGoleakGoroutine(h header) {
	b := t.builderFor(FormatGoleak)
	if h.bigID != "" {
		t.warnBigID(h)
	} else {
		if b.seen(h.id) {
			t.closeSnapshot()
			b = t.builder(FormatGoleak)
		}
		b.ids.add(h.id)
	}
	t.warnBadLabels(&h)
	setEvent(b, EventGoleak, "found unexpected goroutines", 0)
	t.g = t.newBlock(h)
}

// goleakLine handles a line while a goleak list is read. It returns the
// line without the list's indentation, and done when it has handled it.
func (t *textReader) goleakLine(line []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(line, t.goleak.indent)
	if !ok {
		if isBlank(line) {
			return nil, false // an indented blank line that lost its spaces
		}
		t.endGoleak()
		return line, false
	}
	trimmed := bytes.TrimLeft(rest, " \t")
	switch {
	case len(trimmed) == 1 && trimmed[0] == ']':
		t.endGoleak()
		return nil, true
	case bytes.HasPrefix(trimmed, goleakGoroutine) && bytes.HasSuffix(trimmed, onTopOfStack):
		// Checked before the block sees the line: the block would take it
		// as part of a "[originating from goroutine N]" section.
		if h, ok := parseGoleakHeader(trimmed); ok {
			t.endGoleakGoroutine()
			t.startGoleakGoroutine(h)
			return nil, true
		}
	case bytes.HasPrefix(trimmed, goleakOpen):
		// A new list right after this one.
		t.endGoleak()
		return line, false
	case bytes.HasPrefix(rest, goroutinePrefix):
		if h, ok := parseHeader(rest); ok {
			if g := t.g; g != nil && g.frames == 0 && h.id == g.h.id && h.bigID == g.h.bigID {
				// goleak before v1.2 printed the runtime's header under
				// its own line: the same goroutine.
				return nil, true
			}
			// A runtime dump: goleak prints no other headers, so the
			// list was cut short.
			t.endGoleak()
			return line, false
		}
	}
	return rest, false
}

func (t *textReader) endGoleakGoroutine() {
	if t.g == nil {
		return
	}
	if t.g.truncated() {
		t.warnf("goleak goroutine %d is truncated", t.g.h.id)
	}
	t.endGoroutine()
}

func (t *textReader) endGoleak() {
	t.endGoleakGoroutine()
	t.goleak = nil
}
