package parse

import (
	"bytes"
	"unicode/utf8"
)

// EventKind says why a dump was printed.
type EventKind string

// The event kinds Read recognises.
const (
	// EventPanic is an unrecovered panic ("panic: ..."), including one
	// caused by a signal ("[signal SIGSEGV: ...]").
	EventPanic EventKind = "panic"
	// EventFatal is a fatal error of the runtime ("fatal error: ..."):
	// concurrent map writes, stack overflow, unlock of an unlocked mutex.
	EventFatal EventKind = "fatal"
	// EventDeadlock is a deadlock the runtime proved: "all goroutines are
	// asleep - deadlock!", "no goroutines (main called runtime.Goexit) -
	// deadlock!", or a testing/synctest bubble whose goroutines are all
	// durably blocked ("deadlock: main bubble goroutine has exited but
	// blocked goroutines remain", "deadlock: all goroutines in bubble are
	// blocked").
	EventDeadlock EventKind = "deadlock"
	// EventTestTimeout is go test's "panic: test timed out after D".
	EventTestTimeout EventKind = "test-timeout"
	// EventSignal is a dump the runtime printed on a signal: "SIGQUIT: quit",
	// "SIGABRT: abort", "SIGSEGV: segmentation violation" in C code.
	EventSignal EventKind = "signal"
	// EventRace is a data race report of the race detector.
	EventRace EventKind = "race"
	// EventGoleak is the failure of go.uber.org/goleak.
	EventGoleak EventKind = "goleak"
)

// Event is what a dump says about why it exists: the panic, fatal error,
// signal, test timeout, race report or goleak failure that printed it.
type Event struct {
	Kind EventKind
	// Message is the runtime's words, bounded in length, one line per line
	// the runtime printed, without the "panic: " or "fatal error: " of the
	// first line (Kind says it): "send on closed channel", "concurrent map
	// writes", "SIGQUIT: quit", "test timed out after 10m0s". A chain of
	// panics keeps its later lines as printed ("panic: again"); a signal
	// that caused the panic keeps its "[signal SIGSEGV: ...]" line.
	Message string
	// Goroutine is the ID of the goroutine the event names: the panicking
	// or throwing goroutine (for a test timeout, the testing package's
	// alarm goroutine: Tests names the tests that hung), the goroutine that
	// faulted on a synchronous signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL), the
	// goroutine of the current access of the first race report. 0 when it
	// names none: a runtime deadlock, SIGQUIT and other signals sent to the
	// process, goleak.
	Goroutine int64
	// Tests are the tests listed under "running tests:" of a test timeout.
	Tests []string
}

// Bounds on what an event keeps, whatever the input: a hostile dump must
// not make messages huge.
const (
	maxEventMessage   = 4 << 10 // bytes of Message
	maxEventLines     = 16      // lines of Message
	maxEventTestBytes = 64 << 10
	// maxEventGap is how many lines may separate an event's lines from the
	// first goroutine of its dump (register dumps, the header-less
	// "runtime stack:" of a stack overflow); after that the line was only
	// log text and is forgotten.
	maxEventGap = 100
)

var (
	eventPanic    = []byte("panic: ")
	eventFatal    = []byte("fatal error: ")
	eventOverflow = []byte("runtime: goroutine stack exceeds ")
	eventSignal   = []byte("[signal ")
	eventCgo      = []byte("signal arrived during ")
	eventPC       = []byte("PC=")
	runningTests  = []byte("running tests:")
	colonSpace    = []byte(": ")
	fatalWord     = []byte("fatal ")
)

// pendingEvent is an event whose first lines have been read and whose dump
// has not started yet: it goes to the snapshot of the next goroutine header.
type pendingEvent struct {
	ev Event
	// prefix is the log prefix its first line carried: the reader's prefix
	// then, or one learnt from that line. The dump's own prefix must match.
	prefix *linePrefix
	names  bool // Goroutine is the first goroutine of the dump
	open   bool // the message takes more lines (until a blank line)
	tests  bool // reading the names under "running tests:"
	lines  int
	testB  int
	age    int
	// overflow is the runtime's "goroutine stack exceeds" line, printed
	// before "fatal error: stack overflow".
	overflow string
}

// eventLine looks at a line outside goroutine blocks: the first lines of
// an event, or the lines that follow them. It reports whether it consumed
// the line.
func (t *textReader) eventLine(line []byte) bool {
	if e := t.event; e != nil {
		s := line
		if t.prefix == nil && e.prefix != nil {
			s = e.prefix.strip(line)
		}
		if e.more(s) {
			return true
		}
		if e.age++; e.age > maxEventGap {
			t.event = nil
		}
	}
	k := eventStart(line, t.prefix == nil)
	if k < 0 {
		return false
	}
	prefix := t.prefix
	if k > 0 && isBlank(line[:k]) {
		// Indentation (a dump quoted in test output) is not a log prefix:
		// the dump's lines are read where they stand (see learnPrefix).
		return t.startEvent(line[k:], prefix)
	}
	if k > 0 {
		p, ok := learnPrefix(line, k)
		if !ok {
			return false
		}
		prefix = &p
	}
	return t.startEvent(line[k:], prefix)
}

// eventStart returns the offset in line of the first line of an event, or
// -1. With anywhere unset the event must start the line; otherwise it may
// follow a log prefix, not yet learnt.
func eventStart(line []byte, anywhere bool) int {
	if isEventStart(line) {
		return 0
	}
	if !anywhere {
		return -1
	}
	// Every first line has a word followed by ": ": look only there.
	for i := 0; ; {
		j := bytes.Index(line[i:], colonSpace)
		if j < 0 {
			return -1
		}
		j += i
		w := bytes.LastIndexByte(line[:j], ' ') + 1
		if w >= len(fatalWord) && bytes.HasPrefix(line[w-len(fatalWord):], eventFatal) {
			w -= len(fatalWord)
		}
		if w > 0 && isEventStart(line[w:]) {
			return w
		}
		i = j + len(colonSpace)
	}
}

func isEventStart(s []byte) bool {
	return bytes.HasPrefix(s, eventPanic) || bytes.HasPrefix(s, eventFatal) ||
		bytes.HasPrefix(s, eventOverflow) || signalName(s) != ""
}

// signalName returns "SIGQUIT" for the runtime's "SIGQUIT: quit", or "".
func signalName(s []byte) string {
	if !bytes.HasPrefix(s, []byte("SIG")) {
		return ""
	}
	i := 3
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 3 || !bytes.HasPrefix(s[i:], colonSpace) {
		return ""
	}
	return string(s[:i])
}

// startEvent starts an event at its first line s.
func (t *textReader) startEvent(s []byte, prefix *linePrefix) bool {
	if bytes.HasPrefix(s, eventOverflow) {
		// Printed before the fatal error it explains.
		t.event = &pendingEvent{prefix: prefix, overflow: clip(string(s), maxEventMessage)}
		return true
	}
	sig := signalName(s)
	if sig != "" && t.continuation {
		// The per-thread sections of a GOTRACEBACK=crash dump repeat the
		// signal: the same dump, the same event.
		return true
	}
	// The start of a crash report: whatever came before was another dump.
	if t.cur != nil && t.cur.count > 0 {
		t.closeSnapshot()
	}
	e := &pendingEvent{prefix: prefix, open: true, names: true}
	var msg []byte
	switch {
	case sig != "":
		e.ev.Kind = EventSignal
		msg = s
		e.names = sig == "SIGSEGV" || sig == "SIGBUS" || sig == "SIGFPE" || sig == "SIGILL"
	case bytes.HasPrefix(s, eventPanic):
		msg = s[len(eventPanic):]
		e.ev.Kind = EventPanic
		switch {
		case bytes.HasPrefix(msg, []byte("test timed out after ")):
			e.ev.Kind = EventTestTimeout
		case bytes.HasPrefix(msg, []byte("deadlock: main bubble goroutine ")),
			bytes.HasPrefix(msg, []byte("deadlock: all goroutines in bubble ")):
			e.ev.Kind = EventDeadlock // synctest's, raised by the bubble's caller
		}
	default:
		msg = s[len(eventFatal):]
		e.ev.Kind = EventFatal
		if bytes.HasSuffix(msg, []byte(" - deadlock!")) {
			e.ev.Kind = EventDeadlock
			e.names = false
		}
	}
	e.ev.Message = clip(string(msg), maxEventMessage)
	e.lines = 1
	if old := t.event; old != nil && old.overflow != "" && e.ev.Kind == EventFatal {
		e.addLine([]byte(old.overflow))
	}
	t.event = e
	return true
}

// more takes a line that follows the first line of an event, before its
// dump starts, and reports whether it belongs to the event.
func (e *pendingEvent) more(s []byte) bool {
	if !e.open {
		return false
	}
	if len(s) == 0 {
		e.open = false
		return false
	}
	trimmed := bytes.TrimLeft(s, " \t")
	switch {
	case bytes.Equal(trimmed, runningTests):
		e.tests = true
	case e.tests && (len(trimmed) < len(s) || isTestEntry(trimmed)):
		// "\t\tTestPutHangs (10m0s)", or without its indent in a paste
		name, _, _ := bytes.Cut(trimmed, []byte(" "))
		if e.testB+len(name) <= maxEventTestBytes {
			e.ev.Tests = append(e.ev.Tests, string(name))
			e.testB += len(name)
		}
	case s[0] == '\t' || bytes.HasPrefix(s, eventSignal) || bytes.HasPrefix(s, eventCgo):
		// "\tpanic: again" of a panic chain, a line of a multi-line panic
		// value (the runtime indents them), the signal behind a panic.
		e.tests = false
		e.addLine(trimmed)
	case bytes.HasPrefix(s, eventPC):
		// "PC=0x48d4e1 m=0 sigcode=0": addresses, not words.
	default:
		return false
	}
	return true
}

// isTestEntry reports whether s reads "TestName (10m0s)": a test under
// "running tests:" whose indent a paste lost.
func isTestEntry(s []byte) bool {
	name, rest, ok := bytes.Cut(s, []byte(" "))
	return ok && len(name) > 0 && len(rest) > 2 && rest[0] == '(' && rest[len(rest)-1] == ')' && bytes.IndexByte(rest, ' ') < 0
}

// addLine appends a line to the message, within its bounds.
func (e *pendingEvent) addLine(s []byte) {
	room := maxEventMessage - len(e.ev.Message) - 1
	if e.lines >= maxEventLines || room <= 0 {
		return
	}
	e.ev.Message += "\n" + clip(string(s), room)
	e.lines++
}

// clip cuts s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// attachEvent gives the pending event to the snapshot goroutine id was just
// admitted to, if the dump is the one the event announced.
func (t *textReader) attachEvent(id int64) {
	e := t.event
	t.event = nil
	if e.ev.Kind == "" || !samePrefix(e.prefix, t.prefix) || t.cur.snap.Event != nil {
		return
	}
	if e.names {
		e.ev.Goroutine = id
	}
	t.cur.snap.Event = &e.ev
}

// samePrefix reports whether an event read under prefix a belongs to a dump
// read under prefix b: a log line quoting a panic is not the dump's own.
func samePrefix(a, b *linePrefix) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.re == b.re && bytes.Equal(a.fixed, b.fixed)
}

// setEvent gives the snapshot being built by b an event of kind k unless it
// has one: goleak failures and race reports announce themselves by their
// format.
func setEvent(b *builder, k EventKind, message string, goroutine int64) {
	if b.snap.Event == nil {
		b.snap.Event = &Event{Kind: k, Message: message, Goroutine: goroutine}
	}
}
