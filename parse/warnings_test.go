package parse_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/parse"
)

// TestWarningsQuoteLittle: a real dump with a line of a MiB of junk after
// the first frame of every goroutine warns about each line, but quotes only
// its start and end: the warnings once held the whole lines (84 MB for a
// 21 KB gzip).
func TestWarningsQuoteLittle(t *testing.T) {
	b, err := os.ReadFile("testdata/generated/sigquit_gotraceback_all.txt")
	if err != nil {
		t.Fatal(err)
	}
	junk := strings.Repeat("J", 1<<20-1)
	blocks := strings.Split(string(b), "\n\n")
	for i, blk := range blocks {
		lines := strings.Split(blk, "\n")
		if len(lines) >= 3 && strings.HasPrefix(lines[0], "goroutine ") {
			blocks[i] = strings.Join(append(lines[:3:3], append([]string{junk}, lines[3:]...)...), "\n")
		}
	}
	s, err := parse.Read(strings.NewReader(strings.Join(blocks, "\n\n")), "junk")
	if err != nil {
		t.Fatal(err)
	}
	quoting, total := 0, 0
	for _, w := range s.Warnings {
		total += len(w)
		if strings.Contains(w, "JJJJ") {
			quoting++
		}
		if len(w) > safetext.MaxString+64 {
			t.Errorf("a warning of %d bytes: %.80q…", len(w), w)
		}
	}
	if quoting < 10 {
		t.Errorf("%d warnings quote a junk line, want one per goroutine: %q", quoting, s.Warnings)
	}
	if limit := parse.MaxWarnings * (safetext.MaxString + 64); total > limit {
		t.Errorf("warnings hold %d bytes, want at most %d", total, limit)
	}
}

// TestHeaderWithoutStackWarns: a header with nothing under it, not even a
// "created by" line, is no goroutine the runtime prints: it is kept, with
// a warning, however the input is read (line by line, or in chunks).
func TestHeaderWithoutStackWarns(t *testing.T) {
	real, err := os.ReadFile("testdata/generated/stack_mixed_states.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for range 3000 { // more than a chunk
		b.Write(real)
		b.WriteString("\ngoroutine 999999 [chan receive]:\n\n")
	}
	s, err := parse.Read(strings.NewReader(b.String()), "in")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, "goroutine 999999 has no stack") }) {
		t.Errorf("no warning of the header without a stack; warnings: %q", s.Warnings[:min(3, len(s.Warnings))])
	}
}
