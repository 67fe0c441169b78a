package parse

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The header lines below are the runtime's own output: the Go 1.27 lines
// were printed by a go 1.27 module built with Go 1.27.3, the labels:{...}
// ones by Go 1.26.8 with GODEBUG=tracebacklabels=1 (see testdata/go127 for
// whole dumps).
func TestParseHeaderLabels(t *testing.T) {
	tests := []struct {
		in     string
		state  string
		labels map[string]string
		leaked bool
	}{
		{`goroutine 7 [chan receive] {"k 1": "v with spaces", req: r0, z: "}{:,\"\n"}:`,
			"chan receive", map[string]string{"k 1": "v with spaces", "req": "r0", "z": "}{:,\"\n"}, false},
		{`goroutine 7 [chan receive (leaked)] {"k 1": "v with spaces", req: r0, z: "}{:,\"\n"}:`,
			"chan receive", map[string]string{"k 1": "v with spaces", "req": "r0", "z": "}{:,\"\n"}, true},
		{`goroutine 22 [chan receive] {"\u00fcn\u00ef": "\u00e7"}:`,
			"chan receive", map[string]string{"ünï": "ç"}, false},
		{`goroutine 12 [sync.Mutex.Lock, 3 minutes, locked to thread] {request: abc}:`,
			"sync.Mutex.Lock", map[string]string{"request": "abc"}, false},
		{`goroutine 12 gp=0xc000007a40 m=nil [select] {/fizzle: bit, foo_bar: baz.}:`,
			"select", map[string]string{"/fizzle": "bit", "foo_bar": "baz."}, false},
		{`goroutine 3 [sleep] {fizzle: "b\x1bit", "foo\"ba\x00r": "baz\n"}:`,
			"sleep", map[string]string{"fizzle": "b\x1bit", "foo\"ba\x00r": "baz\n"}, false},
		{`goroutine 3 [sleep] {"fizz\tle": "\U00045678boop", "fiz\\zl\re": "\u1234\u03a3"}:`,
			"sleep", map[string]string{"fizz\tle": "\U00045678boop", "fiz\\zl\re": "\u1234Σ"}, false},
		{`goroutine 3 [sleep] {: x, empty: }:`,
			"sleep", map[string]string{"empty": "", "": "x"}, false},
		{`goroutine 35 [chan receive labels:{"handler": "checkout", "tenant": "acme"}]:`,
			"chan receive", map[string]string{"handler": "checkout", "tenant": "acme"}, false},
		{`goroutine 35 [chan receive (leaked), 2 minutes labels:{"a]": "}]:"}]:`,
			"chan receive", map[string]string{"a]": "}]:"}, true},
	}
	for _, tc := range tests {
		h, ok := parseHeader([]byte(tc.in))
		if !ok {
			t.Errorf("parseHeader(%q) failed", tc.in)
			continue
		}
		if h.state != tc.state || h.leaked != tc.leaked || h.badLabels {
			t.Errorf("parseHeader(%q) = %+v; want state %q, leaked %v", tc.in, h, tc.state, tc.leaked)
		}
		if diff := cmp.Diff(tc.labels, parseLabels(h.labels)); diff != "" {
			t.Errorf("labels of %q (-want +got):\n%s", tc.in, diff)
		}
	}
}

// A header whose labels cannot be read is still a header: the goroutine is
// kept, marked so that a warning names it.
func TestParseHeaderBadLabels(t *testing.T) {
	for _, in := range []string{
		`goroutine 7 [chan receive] {k: "unterminated}:`,
		`goroutine 7 [chan receive] {k v}:`,
		`goroutine 7 [chan receive labels:{"k" "v"}]:`,
	} {
		h, ok := parseHeader([]byte(in))
		if !ok || !h.badLabels || h.state != "chan receive" {
			t.Errorf("parseHeader(%q) = %+v, %v; want a header with bad labels", in, h, ok)
		}
	}
	for _, in := range []string{
		`goroutine 7 [chan receive] {k: v}`,
		`goroutine 7 [chan receive] {k: v}: trailing`,
		`goroutine 7 [chan receive] k: v:`,
	} {
		if h, ok := parseHeader([]byte(in)); ok {
			t.Errorf("parseHeader(%q) = %+v; want no header", in, h)
		}
	}
}

// TestAppendQuoted: labelKey's quoting is strconv.Quote's, byte for byte,
// with or without the fast path: the order of label sets in every report
// rests on it.
func TestAppendQuoted(t *testing.T) {
	for _, s := range []string{
		"", "plain", "/api/v1", "with space", `quote"d`, `back\slash`, "tab\there", "new\nline",
		"del\x7f", "é", "日本", "\u202e", "bad\xffutf8", "~", " ",
	} {
		if got, want := string(appendQuoted(nil, s)), strconv.Quote(s); got != want {
			t.Errorf("appendQuoted(%q) = %s, want %s", s, got, want)
		}
	}
	m := map[string]string{"b": "2", "a": `x"y`, "c": "é"}
	if got, want := labelKey(m), `"a":"x\"y","b":"2","c":"é",`; got != want {
		t.Errorf("labelKey = %s, want %s", got, want)
	}
}
