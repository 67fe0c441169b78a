package report

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/internal/sigkey"
)

// TestReadmeLimitsOfOutput keeps the Limits (docs/limits.md) in step with
// the output budget and the key cap.
func TestReadmeLimitsOfOutput(t *testing.T) {
	b, err := os.ReadFile("../../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	limits := string(b)
	limits, _, _ = strings.Cut(limits, "\n## ")
	text := strings.Join(strings.Fields(limits), " ")
	for _, want := range []string{
		fmt.Sprintf("at most %d MiB of groups are listed, in the report's order, the rest counted in `groups_cut` (`report.MaxJSONGroups`)", MaxJSONGroups>>20),
		fmt.Sprintf("An `--html` page shows about %d MiB of groups, then a note counting the rest (`report.MaxHTMLGroups`)", MaxHTMLGroups>>20),
		fmt.Sprintf("keeps at most %d bytes of its signature, then a digest of the whole (`sigkey.Max`)", sigkey.Max),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("docs/limits.md does not say %q", want)
		}
	}
}
