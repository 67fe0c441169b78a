package safetext

import (
	"bytes"
	"io"
	"regexp"
)

// Writer is the last gate of a text output: every line written through it
// has its URL passwords hidden and its control characters escaped, but for
// tabs, newlines and the colour codes the report adds itself (ESC [ n m).
// The strings a report prints have passed [String] already; Writer is
// there for the one a future change forgets, and costs a scan per line.
// Call Flush at the end: a last line without a newline is held until then.
type Writer struct {
	w    io.Writer
	line []byte // the start of a line whose end has not been written yet
	err  error
}

// NewWriter returns a Writer that writes gated lines to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write gates the complete lines of p and holds back the rest.
func (g *Writer) Write(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			g.line = append(g.line, p...)
			break
		}
		g.line = append(g.line, p[:i+1]...)
		p = p[i+1:]
		if err := g.emit(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Flush writes a held last line.
func (g *Writer) Flush() error {
	if g.err == nil && len(g.line) > 0 {
		g.err = g.emit()
	}
	return g.err
}

func (g *Writer) emit() error {
	line := g.line
	g.line = g.line[:0]
	nl := bytes.HasSuffix(line, []byte("\n"))
	body := string(bytes.TrimSuffix(line, []byte("\n")))
	out := escapeKeepingColour(Redact(body))
	if nl {
		out += "\n"
	}
	_, err := io.WriteString(g.w, out)
	if err != nil {
		g.err = err
	}
	return err
}

// colour is an SGR sequence, the only escape sequence reports write.
var colour = regexp.MustCompile("\x1b\\[[0-9;]*m")

// escapeKeepingColour is Escape of everything but the colour codes.
func escapeKeepingColour(s string) string {
	if firstUnsafe(s) < 0 {
		return s
	}
	var b bytes.Buffer
	last := 0
	for _, m := range colour.FindAllStringIndex(s, -1) {
		b.WriteString(Escape(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(Escape(s[last:]))
	return b.String()
}
