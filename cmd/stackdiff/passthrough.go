package main

import (
	"bytes"
	"io"

	"github.com/stackdiff/stackdiff/internal/safetext"
)

// passthrough gives the app its voice back in `./app 2>&1 | stackdiff`:
// every line read from the pipe that is not part of a goroutine dump is
// written to w as soon as its newline arrives, while all the bytes go on
// to the parser unchanged. Without it, the app's own log lines would be
// swallowed until the report (panicparse's pp passes them through too).
//
// Telling a dump line from an app line needs no more than the line and
// whether a dump has begun: a dump begins at a line the runtime writes
// first (a goroutine header, "SIGQUIT: quit", "panic: ", "fatal error: ",
// a goroutine profile's total), and inside one, stack lines have shapes
// of their own (a tab-indented file line, a call, "created by", registers,
// blank lines). A line of another shape inside a dump is the app's still.
//
// Lines go through the same gate as every other output (URL passwords
// hidden, control characters escaped), and a line longer than
// maxPassLine shows only its start: memory stays bounded whatever the pipe
// carries.
type passthrough struct {
	r      io.Reader
	w      io.Writer
	line   []byte // the line read so far, at most maxPassLine bytes
	cut    bool   // line lost bytes beyond maxPassLine
	inDump bool
}

// maxPassLine is the gate's own cap: a longer line shows its start and
// " [line cut]", never a second cut whose count would be wrong.
const maxPassLine = safetext.MaxString

func newPassthrough(r io.Reader, w io.Writer) *passthrough {
	return &passthrough{r: r, w: w}
}

func (p *passthrough) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	rest := b[:n]
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			p.add(rest)
			break
		}
		p.add(rest[:i])
		p.endLine()
		rest = rest[i+1:]
	}
	if err == io.EOF && (len(p.line) > 0 || p.cut) {
		p.endLine()
	}
	return n, err
}

func (p *passthrough) add(b []byte) {
	if room := maxPassLine - len(p.line); len(b) > room {
		b, p.cut = b[:room], true
	}
	p.line = append(p.line, b...)
}

func (p *passthrough) endLine() {
	line := bytes.TrimSuffix(p.line, []byte("\r"))
	if p.isApp(line) {
		s := safetext.String(string(line))
		if p.cut {
			s += " [line cut]"
		}
		io.WriteString(p.w, s+"\n")
	}
	p.line, p.cut = p.line[:0], false
}

// isApp reports whether line is the app's own, and follows the dumps: a
// dump's first line starts one.
func (p *passthrough) isApp(line []byte) bool {
	if startsDump(line) {
		p.inDump = true
		return false
	}
	return !p.inDump || !inDumpShape(line)
}

var dumpStarts = [][]byte{
	[]byte("SIGQUIT: quit"), []byte("SIGABRT: abort"), []byte("panic: "), []byte("fatal error: "),
	[]byte("goroutine profile: total "), []byte("goroutineleak profile: total "),
	[]byte("runtime: "), []byte("=================="), []byte("WARNING: DATA RACE"),
}

func startsDump(line []byte) bool {
	for _, s := range dumpStarts {
		if bytes.HasPrefix(line, s) {
			return true
		}
	}
	return isHeaderLine(line) || bytes.Contains(line, []byte("found unexpected goroutines"))
}

// isHeaderLine matches "goroutine N [" at the start of a line.
func isHeaderLine(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
	if !ok {
		return false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	return i > 0 && bytes.Contains(rest[i:], []byte("["))
}

// inDumpShape reports whether a line has a shape a dump's lines have after
// its first: blank, indented (file lines, pprof's "#" records), a call,
// a creator, the runtime's notes, registers.
func inDumpShape(line []byte) bool {
	if len(bytes.TrimSpace(line)) == 0 || line[0] == '\t' || line[0] == ' ' || line[0] == '#' || line[0] == '[' {
		return true
	}
	for _, s := range [][]byte{[]byte("created by "), []byte("..."), []byte("PC="), []byte("m="), []byte("exit status "), []byte("signal arrived"), []byte("runtime stack:"), []byte("goroutine "),
		[]byte("-----"), []byte("Goroutine "), []byte("Previous "), []byte("Read at "), []byte("Write at "), []byte("SUMMARY: ")} {
		if bytes.HasPrefix(line, s) {
			return true
		}
	}
	if isRegister(line) || isProfileRecord(line) {
		return true
	}
	// A call: "pkg.fn(...)" or "pkg.(*T).m(0x1, ...)", possibly with
	// "panic(...)" style names; a log line has a space before any '('.
	open := bytes.IndexByte(line, '(')
	return open > 0 && bytes.HasSuffix(line, []byte(")")) && bytes.IndexByte(line[:open], ' ') < 0
}

// isRegister matches a register line of a crash ("rax    0x0").
func isRegister(line []byte) bool {
	name, val, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(name) == 0 || len(name) > 8 {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(val, " "), []byte("0x"))
}

// isProfileRecord matches a debug=1 record's first line ("3 @ 0x48040e ...").
func isProfileRecord(line []byte) bool {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	return i > 0 && bytes.HasPrefix(line[i:], []byte(" @ 0x"))
}
