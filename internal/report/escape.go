package report

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s with everything a terminal would act on escaped:
// control characters (ESC, BEL, backspace, carriage return, newline, the C1
// controls), DEL and bytes that are not UTF-8 become \x1b-style escapes. A
// dump or an HTTP error body is input from elsewhere; printed raw, an ESC
// sequence could retitle, clear or rewrite the reader's terminal. Tabs are
// kept. Strings without such characters are returned as they are.
func Printable(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r)):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// urlPassword finds the password of a URL written in free text:
// "dial http://bob:hunter2@10.0.0.1:8080: refused".
var urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@`)

// Scrub hides the passwords of the URLs written in a text taken from a
// dump (a panic message, a warning quoting a line), as url.URL.Redacted
// does for one URL: reports end up in tickets and logs.
func Scrub(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlPassword.ReplaceAllString(s, "${1}:xxxxx@")
}

// Clean is Scrub, then Printable: dump text as every report shows it.
func Clean(s string) string { return Printable(Scrub(s)) }

// cleanAll is Clean of every string of v, in a new slice (never nil).
func cleanAll(v []string) []string { return each(v, Clean) }

// scrubAll is Scrub of every string of v, for JSON, which escapes control
// characters itself.
func scrubAll(v []string) []string { return each(v, Scrub) }

func each(v []string, f func(string) string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = f(s)
	}
	return out
}
