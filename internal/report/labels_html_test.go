package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
)

// TestLabelSetsShown: the Go 1.27 dump's label sets reach the text and HTML
// reports, bounded to the largest few, as dump text: the URL password in a
// label value hidden and the ESC and NUL in another escaped.
func TestLabelSetsShown(t *testing.T) {
	snaps := readDump(t, filepath.Join("..", "..", "parse", "testdata", "go127", "goroutineleak_debug2.txt"), "leak2")
	r := classify.Compare(snaps, nil)
	var text bytes.Buffer
	if err := report.Text(&text, r, report.Options{All: true, Frames: 1}); err != nil {
		t.Fatal(err)
	}
	page := renderHTML(t, r)
	for name, out := range map[string]string{"text": text.String(), "html": page} {
		if strings.Contains(out, "secret") || strings.Contains(out, "\x1b") || strings.Contains(out, "\x00") {
			t.Errorf("%s report shows a label's password or control characters", name)
		}
		for _, want := range []string{"user:xxxxx@example.com", `\x1b[31mred\x00`, "and 4 more sets", "×3"} {
			if !strings.Contains(out, want) && !strings.Contains(out, escapeText(want)) {
				t.Errorf("%s report lacks %q", name, want)
			}
		}
	}
}
