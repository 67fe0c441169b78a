package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSourceFlags: --source-root finds a -trimpath build's source through
// its go.mod; --no-source reads nothing; a receive left unrefined for lack
// of source gets one note naming the flag.
func TestSourceFlags(t *testing.T) {
	dumps := "../../samples/dumps/ticker-loop-no-exit/"
	tests := []struct {
		flags []string
		label string
		note  bool
	}{
		{[]string{"--source-root", "../.."}, "ticker", false},
		{[]string{"--no-source", "--source-root", "../.."}, "chan-receive", false},
		{nil, "chan-receive", true}, // the current directory holds no such source
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		args := append(tc.flags, "--frames", "0", dumps+"before.txt", dumps+"after.txt")
		run(args, nil, &stdout, &stderr)
		out := stdout.String()
		if !strings.Contains(out, "leak     "+tc.label+" ") {
			t.Errorf("%v: no leak labelled %s:\n%s", tc.flags, tc.label, out)
		}
		if n := strings.Count(out, "--source-root"); n != map[bool]int{false: 0, true: 1}[tc.note] {
			t.Errorf("%v: the note naming --source-root appears %d times, want note=%v:\n%s", tc.flags, n, tc.note, out)
		}
	}
}
