// Package term answers the one question stackdiff asks of its streams:
// is this a terminal, and how wide is it. A terminal gets colour, a
// progress line and the usage text instead of a wait on standard input;
// anything else (a file, a pipe, /dev/null) gets plain bytes.
package term

import "os"

// IsTerminal reports whether v is an *os.File open on a terminal.
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && isTerminal(f)
}

// Width returns the number of columns of the terminal behind v, or 0 when
// v is not a terminal or does not say.
func Width(v any) int {
	f, ok := v.(*os.File)
	if !ok {
		return 0
	}
	return width(f)
}
