package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
)

// FuzzReport runs whatever the parser accepts through the rest of the
// pipeline — classify, then every report form — as the CLI does. Any
// input must end in exit status 0, 1 or 2, errors must be one line each,
// no report may hold a raw control character, and the output must stay
// linear in the input. Seeds: the corpus dumps (all but the 100k one) and
// the CLI's own test inputs.
func FuzzReport(f *testing.F) {
	for _, dir := range []string{"../../parse/testdata/generated", "../../parse/testdata/public", "testdata"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || strings.Contains(e.Name(), "100k") || strings.HasSuffix(e.Name(), ".md") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		limit := 1<<20 + 1000*len(data)
		for _, args := range [][]string{{"--all", "--frames", "100"}, {"--json"}, {"--lines"}} {
			var stdout, stderr bytes.Buffer
			code := run(append(args, "-"), bytes.NewReader(data), &stdout, &stderr)
			if code < 0 || code > 2 {
				t.Fatalf("%q: exit status %d", args, code)
			}
			if stdout.Len() > limit {
				t.Fatalf("%q: %d bytes of output for %d bytes of input", args, stdout.Len(), len(data))
			}
			for _, line := range strings.SplitAfter(stderr.String(), "\n") {
				if line != "" && !strings.HasPrefix(line, "stackdiff: ") {
					t.Fatalf("%q: stderr line without the program name: %q", args, line)
				}
			}
			if args[0] != "--json" && strings.ContainsAny(stdout.String(), "\x1b\x07\x08\r") {
				t.Fatalf("%q: raw control characters in the report: %q", args, stdout.String())
			}
		}
		snaps, err := parse.ReadAll(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		rep := classify.Compare(snaps, nil)
		n := &countWriter{}
		if err := report.HTML(n, rep); err != nil {
			t.Fatal(err)
		}
		if n.n > 4*limit {
			t.Fatalf("HTML: %d bytes for %d bytes of input", n.n, len(data))
		}
		if err := report.WriteProfile(io.Discard, rep); err != nil {
			t.Fatal(err)
		}
	})
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
