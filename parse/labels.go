package parse

import (
	"strconv"
	"strings"
)

// Label sets are printed three ways, all read by scanLabels:
//
//	goroutine 7 [chan receive] {"k 1": "v with spaces", req: r0}:       Go 1.27 traceback
//	goroutine 7 [chan receive labels:{"k 1": "v with spaces"}]:          Go 1.26, GODEBUG=tracebacklabels=1
//	# labels: {"k 1":"v with spaces", "req":"r0"}                        pprof debug=1
//
// Go 1.27 (runtime/traceback.go, goroutineheader) prints a key or value
// bare when it is made only of ASCII letters, digits, '.', '/' and '_'
// (the empty string too), and quoted otherwise, with Go escapes: \n, \r,
// \t, \\, \", \xNN for other ASCII controls and invalid UTF-8, \uNNNN and
// \UNNNNNNNN for everything beyond ASCII. Go 1.26 quotes every key and
// value the same way; debug=1 uses fmt's %q. Nothing is truncated: a value
// of any length is printed whole. strconv.Unquote decodes all three.

// scanLabels reads a label set "{k: v, ...}" at the start of b and returns
// the length of its text, braces included. put, when not nil, receives each
// key and value decoded. ok is false when b holds no well-formed set; n is
// then meaningless and put may have seen the pairs before the fault.
func scanLabels[T ~string | ~[]byte](b T, put func(k, v string)) (n int, ok bool) {
	if len(b) == 0 || b[0] != '{' {
		return 0, false
	}
	i := skipSpaces(b, 1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		k, next, ok := labelToken(b, i, ':')
		if !ok {
			return 0, false
		}
		i = skipSpaces(b, next)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		v, next, ok := labelToken(b, skipSpaces(b, i+1), ',')
		if !ok {
			return 0, false
		}
		if put != nil {
			put(k, v)
		}
		i = skipSpaces(b, next)
		switch {
		case i >= len(b):
			return 0, false
		case b[i] == '}':
			return i + 1, true
		case b[i] == ',':
			i = skipSpaces(b, i+1)
		default:
			return 0, false
		}
	}
}

// labelToken reads one key or value at b[i:]: a Go-quoted string, or a bare
// word that ends before stop, '}' or a space (possibly empty: the runtime
// prints an empty key or value as nothing).
func labelToken[T ~string | ~[]byte](b T, i int, stop byte) (tok string, next int, ok bool) {
	if i < len(b) && b[i] == '"' {
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				s, err := strconv.Unquote(string(b[i : j+1]))
				if err != nil {
					return "", 0, false
				}
				return s, j + 1, true
			}
		}
		return "", 0, false
	}
	j := i
	for j < len(b) && b[j] != stop && b[j] != '}' && b[j] != ' ' && b[j] != '"' && b[j] != '{' {
		j++
	}
	return string(b[i:j]), j, true
}

func skipSpaces[T ~string | ~[]byte](b T, i int) int {
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return i
}

// parseLabels decodes the label text of a header or a debug=1 record, with
// or without its braces, into a map. Malformed text gives the pairs read
// before the fault (see labelsReadable).
func parseLabels(s string) map[string]string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		s = "{" + s + "}"
	}
	var m map[string]string
	scanLabels(s, func(k, v string) {
		if m == nil {
			m = map[string]string{}
		}
		m[k] = v
	})
	return m
}

// labelsReadable reports whether label text (without its braces) is a
// well-formed set.
func labelsReadable(s string) bool {
	n, ok := scanLabels("{"+s+"}", nil)
	return ok && n == len(s)+2
}
