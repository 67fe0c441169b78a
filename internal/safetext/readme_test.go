package safetext

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadmeLimits keeps the Limits (docs/limits.md) in step with the
// constants: each sentence stating one is built from it here.
func TestReadmeLimits(t *testing.T) {
	b, err := os.ReadFile("../../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	limits := string(b)
	limits, _, _ = strings.Cut(limits, "\n## ")
	text := strings.Join(strings.Fields(limits), " ") // as a reader sees it, not as it is wrapped
	for _, want := range []string{
		fmt.Sprintf("at most %d printed per input, then one line counting the rest (`safetext.MaxWarnings`)", MaxWarnings),
		fmt.Sprintf("a string over %d bytes is cut to %d, its start and its end around `…[N bytes cut]…` (`safetext.MaxString`)", MaxString, MaxString),
		fmt.Sprintf("A table cell is at most %d characters (`safetext.MaxCell`)", MaxCell),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("docs/limits.md does not say %q", want)
		}
	}
}
