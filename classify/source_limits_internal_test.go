package classify

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadmeSourceLimits keeps the Limits (docs/limits.md) in step with
// the bounds of a source lookup.
func TestReadmeSourceLimits(t *testing.T) {
	b, err := os.ReadFile("../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	want := fmt.Sprintf("looked up by at most %d of its suffixes, none over %d bytes", maxSuffixTries, maxSourceName)
	if !strings.Contains(text, want) {
		t.Errorf("the README does not say %q", want)
	}
}
