package classify

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSrcTextLines: every range of lines of a text is what splitting it
// gives, across the index marks.
func TestSrcTextLines(t *testing.T) {
	var b strings.Builder
	for i := range 3*lineStride + 5 {
		fmt.Fprintf(&b, "%sline %d\n", strings.Repeat("\t", i%3), i+1)
	}
	for _, data := range []string{"", "\n", "a", "a\n", "a\nb", "\n\n\n", b.String(), b.String() + "last"} {
		split := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
		if data == "" {
			split = nil
		}
		text := newSrcText(data)
		if text.count != len(split) {
			t.Errorf("%q: %d lines, want %d", data, text.count, len(split))
		}
		for from := 0; from <= len(split)+1; from += 7 {
			for _, span := range []int{0, 1, 5, lineStride + 3} {
				to := from + span
				var want []string
				if lo, hi := max(from, 1), min(to, len(split)); lo <= hi {
					want = split[lo-1 : hi]
				}
				if diff := cmp.Diff(want, text.lines(from, to)); diff != "" {
					t.Errorf("%q: lines(%d, %d) (-want +got):\n%s", data[:min(len(data), 20)], from, to, diff)
				}
			}
		}
		for n := range len(split) + 2 {
			lines, k := text.window(n)
			line, ok := text.line(n)
			if n < 1 || n > len(split) {
				if k != 0 || ok {
					t.Errorf("%q: window(%d) = ..., %d; line ok %v; want no line", data, n, k, ok)
				}
				continue
			}
			if lines[k-1] != split[n-1] || line != split[n-1] {
				t.Errorf("window(%d) line %q, line(%d) %q; want %q", n, lines[k-1], n, line, split[n-1])
			}
		}
	}
}

// TestSourcesMemoryFollowsBytes: sixteen 4 MiB files of newlines (the
// whole MaxSourceTotal) cost about their bytes, not a string per line
// (1.2 GB when each line was a string).
func TestSourcesMemoryFollowsBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MiB of files")
	}
	root := t.TempDir()
	const files = MaxSourceTotal / MaxSourceFile
	newlines := []byte(strings.Repeat("\n", MaxSourceFile))
	for i := range files {
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("f%d.go", i)), newlines, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newlines = nil
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := newSources([]fs.FS{SourceDir(root)})
	for i := range files {
		text := s.lines(filepath.Join(root, fmt.Sprintf("f%d.go", i)))
		if text == nil {
			t.Fatalf("file %d not read", i)
		}
		if lines, k := text.window(MaxSourceFile - 10); k == 0 || lines[k-1] != "" {
			t.Fatalf("file %d: no line %d", i, MaxSourceFile-10)
		}
	}
	runtime.ReadMemStats(&after)
	const budget = 2 * MaxSourceTotal
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MiB of sources: %d MiB allocated", MaxSourceTotal>>20, got>>20)
	if got > budget {
		t.Errorf("reading %d MiB of sources allocated %d MiB, want at most %d MiB", MaxSourceTotal>>20, got>>20, budget>>20)
	}
}
