package safetext

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The output budgets. README.md states them; a test keeps the two in step.
const (
	// MaxString is the longest string printed, in bytes before escaping:
	// a longer one is cut to that length, its start and its end around a
	// note of how much was cut ("abc…[12345 bytes cut]…xyz"), so a
	// 90,000-character path or a 1 MiB junk line costs a line, not a page.
	MaxString = 1024
	// capNote is the room kept for the note: "…[" + 20 digits + " bytes
	// cut]…" is at most 40 bytes. A cut string is never cut again, so the
	// number it shows stays true.
	capNote = 40
	// MaxCell is the widest table cell, in characters: one long function
	// name must not pad every row of the table to its width.
	MaxCell = 60
	// MaxWarnings is the number of warnings printed per input; the rest
	// are counted in one more line.
	MaxWarnings = 20
)

// String is the gate: s with URL passwords hidden ([Redact]), escaped
// ([Escape]) and cut to [MaxString] ([Cap]), in that order, so that a cut
// never splits a password from its URL. Cap never cuts an escape in two,
// so String of its own result changes nothing: a string gated twice (a
// frame's text, then the page it is in) shows the true number of bytes
// cut.
func String(s string) string { return Cap(Escape(Redact(s))) }

// Line is [String] without the cap, for a line made of strings each
// gated already: cutting it again would make the number a cut shows
// wrong.
func Line(s string) string { return Escape(Redact(s)) }

// Lines is [String] of each line of s, the newlines between them kept:
// for text of several lines written where an encoder escapes newlines
// itself (a JSON string).
func Lines(s string) string {
	if !strings.Contains(s, "\n") {
		return String(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = String(l)
	}
	return strings.Join(lines, "\n")
}

// Cell is [String] cut further to [MaxCell] characters, keeping the start
// and the end ("github.com/acme/svc.(*Po…).handle"), and with tabs
// escaped too: it is one cell of an aligned table.
func Cell(s string) string {
	s = strings.ReplaceAll(String(s), "\t", `\t`)
	if utf8.RuneCountInString(s) <= MaxCell {
		return s
	}
	r := []rune(s)
	head := (MaxCell - 1) * 2 / 3
	tail := MaxCell - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// Cap returns s if it is at most [MaxString] bytes long, else s cut to at
// most MaxString bytes: its start and its end around the number of bytes
// cut. It cuts at character boundaries, and before a backslash close to
// the cut, so that an escape ("\u202e") is kept whole or not at all. The
// result is a new string: it never holds on to a large input.
func Cap(s string) string {
	if len(s) <= MaxString {
		return s
	}
	const longestEscape = len(`\U0010ffff`)
	keep := (MaxString - capNote - longestEscape) / 2
	head := keep
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	if i := strings.LastIndexByte(s[head-longestEscape+1:head], '\\'); i >= 0 {
		head -= longestEscape - 1 - i
	}
	tail := len(s) - keep
	for tail < len(s) && !utf8.RuneStart(s[tail]) {
		tail++
	}
	if i := strings.LastIndexByte(s[tail-longestEscape+1:tail], '\\'); i >= 0 {
		tail -= longestEscape - 1 - i
	}
	var b strings.Builder
	b.Grow(MaxString + 32)
	b.WriteString(s[:head])
	b.WriteString("…[")
	b.WriteString(strconv.Itoa(tail - head))
	b.WriteString(" bytes cut]…")
	b.WriteString(s[tail:])
	return b.String()
}

// Escape returns s with everything a terminal or an editor would act on
// written as a Go escape: control characters (ESC, BEL, backspace, carriage
// return, newline, the C1 controls such as U+0085), DEL, line and paragraph
// separators, the bidirectional controls (U+202E turns the text after it
// around) and bytes that are not UTF-8. A dump or an HTTP error body is
// input from elsewhere; printed raw, an ESC sequence could retitle, clear or
// rewrite the reader's terminal. Tabs are kept. A string without such
// characters is returned as it is.
func Escape(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case unsafeRune(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe is the index of the first byte of s Escape changes, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

func unsafeRune(r rune) bool {
	return r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r))
}

// userinfo finds "scheme://user:password@" in free text: "dial
// http://bob:hunter2@10.0.0.1:8080: refused".
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/\s:@]*):([^/\s@]*)@`)

// Redact hides the password of every URL written in s, as url.URL.Redacted
// does for one URL: reports end up in tickets and logs. Only a real
// userinfo is touched: in "http://127.0.0.1:7092@0s" (a host, its port and
// a time offset, as stackdiff names the fetches of a series) there is none.
func Redact(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range userinfo.FindAllStringSubmatchIndex(s, -1) {
		user, pass := s[m[4]:m[5]], s[m[6]:m[7]]
		if hostPort(user, pass) && offset.MatchString(s[m[1]:]) {
			continue
		}
		b.WriteString(s[last:m[6]])
		b.WriteString("xxxxx@")
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// offset is the time offset stackdiff appends to a URL to name one fetch
// of a series: "@0s", "@1.5s", "@2m30s".
var offset = regexp.MustCompile(`^([0-9.]+(ns|us|µs|ms|s|m|h))+($|[^A-Za-z0-9.-])`)

// hostPort reports whether user:pass reads as a host and its port rather
// than a user and a password: the "user" is an IP address, localhost or a
// dotted name, and the "password" a port number.
func hostPort(user, pass string) bool {
	if n, err := strconv.Atoi(pass); err != nil || n < 1 || n > 65535 || pass[0] == '0' {
		return false
	}
	return user == "localhost" || strings.Contains(user, ".")
}
