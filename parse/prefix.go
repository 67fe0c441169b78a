package parse

import (
	"bytes"
	"regexp"
)

// Dumps often reach us through a logger that puts a prefix on every line:
// journald ("Nov 26 13:35:51 host app[123]: "), kubectl logs --timestamps
// (an RFC 3339 timestamp), or docker compose ("app-1  | "). The prefix is
// learnt from the first goroutine header that does not start its line, then
// stripped from every line that carries it, and given up when stripping it
// breaks a stack. Plain indentation (a dump quoted in test output) is not
// learnt: the goroutine blocks read indented lines as they are.

var (
	// Timestamps differ from line to line, so these are matched by shape.
	reRFC3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) `)
	// Month names may be localized ("12月"), so the first field is free.
	reSyslog = regexp.MustCompile(`^\S+ +\d{1,2} \d\d:\d\d:\d\d \S+ [^\s:]+: `)
)

// linePrefix strips one learnt prefix.
type linePrefix struct {
	re    *regexp.Regexp // shape of a varying prefix, or nil
	fixed []byte         // an exact prefix, when re is nil
}

// learnPrefix looks at a line holding a goroutine header at offset k > 0 and
// returns the prefix rule, or false if the text before the header is not a
// prefix we recognise.
func learnPrefix(line []byte, k int) (linePrefix, bool) {
	for _, re := range []*regexp.Regexp{reRFC3339, reSyslog} {
		if loc := re.FindIndex(line); loc != nil && loc[1] == k {
			return linePrefix{re: re}, true
		}
	}
	p := line[:k]
	// Any other constant prefix: "app-1  | ", "[worker] ". It must not
	// hold a colon-free sentence that merely mentions a goroutine: require
	// it to end in a space or tab. Indentation alone is never a prefix:
	// stripping it from every line would strip the tab of the file lines
	// (an indented dump is read as it is, see textReader.outside).
	if isBlank(p) {
		return linePrefix{}, false
	}
	if last := p[len(p)-1]; last == ' ' || last == '\t' {
		return linePrefix{fixed: append([]byte(nil), p...)}, true
	}
	return linePrefix{}, false
}

// strip removes the prefix from line if it carries it.
func (p *linePrefix) strip(line []byte) []byte {
	if p.re != nil {
		if loc := p.re.FindIndex(line); loc != nil {
			return line[loc[1]:]
		}
		return line
	}
	if len(p.fixed) > 0 {
		if rest, ok := bytes.CutPrefix(line, p.fixed); ok {
			return rest
		}
	}
	return line
}

// stripEscapes returns line without its terminal escape sequences: CSI
// ("\x1b[31m", "\x1b[0m"), OSC ("\x1b]0;title\x07") and two-byte ones. Log
// viewers and terminals colour the lines of a dump people copy from them.
func stripEscapes(line []byte) []byte {
	out := make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		if line[i] != 0x1b || i+1 == len(line) {
			out = append(out, line[i])
			continue
		}
		i++
		switch line[i] {
		case '[': // CSI: parameters and intermediates, then a final byte
			for i+1 < len(line) && (line[i+1] < 0x40 || line[i+1] > 0x7e) {
				i++
			}
			i++
		case ']': // OSC: up to BEL or ESC \
			for i+1 < len(line) && line[i+1] != 0x07 && line[i+1] != 0x1b {
				i++
			}
			if i+1 < len(line) && line[i+1] == 0x07 {
				i++
			} else if i+2 < len(line) && line[i+2] == '\\' {
				i += 2
			}
		}
	}
	return out
}

// isRegisterLine reports whether line is one of the register lines a
// crash dump ends with: "rax    0x0", "eflags 0x246".
func isRegisterLine(line []byte) bool {
	f := bytes.Fields(line)
	if len(f) != 2 || len(f[0]) > 8 || !bytes.HasPrefix(f[1], []byte("0x")) {
		return false
	}
	for _, c := range f[0] {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
