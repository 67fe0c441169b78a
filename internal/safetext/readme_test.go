package safetext

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadmeLimits keeps the README's Limits section in step with the
// constants: each sentence stating one is built from it here.
func TestReadmeLimits(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, limits, ok := strings.Cut(string(b), "\n## Limits\n")
	if !ok {
		t.Fatal("the README has no Limits section")
	}
	limits, _, _ = strings.Cut(limits, "\n## ")
	text := strings.Join(strings.Fields(limits), " ") // as a reader sees it, not as it is wrapped
	for _, want := range []string{
		fmt.Sprintf("at most %d printed per input, then one line counting the rest (`safetext.MaxWarnings`)", MaxWarnings),
		fmt.Sprintf("a string over %d bytes is cut to %d, its start and its end around `…[N bytes cut]…` (`safetext.MaxString`)", MaxString, MaxString),
		fmt.Sprintf("A table cell is at most %d characters (`safetext.MaxCell`)", MaxCell),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the README's Limits section does not say %q", want)
		}
	}
}
