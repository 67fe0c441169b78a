package classify_test

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
)

var update = flag.Bool("update", false, "rewrite golden files (and the README's label table)")

var reLabelTable = regexp.MustCompile(`(?s)<!-- labels:begin -->\n.*?<!-- labels:end -->`)

// labelTable renders classify.DefaultLabels as the README's markdown
// table, sorted by name.
func labelTable() string {
	labels := classify.DefaultLabels()
	var names []string
	for l := range labels {
		names = append(names, string(l))
	}
	slices.Sort(names)
	class := map[classify.Class]string{classify.Blocking: "leak when new", classify.Doubtful: "suspect when new", classify.Benign: "never a leak"}
	var b strings.Builder
	b.WriteString("<!-- labels:begin -->\n| label | when new | what it usually means | usual fix |\n|---|---|---|---|\n")
	for _, n := range names {
		info := labels[classify.Label(n)]
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", n, class[info.Class], info.Reason, info.Fix)
	}
	b.WriteString("<!-- labels:end -->")
	return b.String()
}

// TestReadmeLabels keeps the README's label table in step with
// classify.DefaultLabels (go test ./classify -run TestReadmeLabels -update
// rewrites it).
func TestReadmeLabels(t *testing.T) {
	const path = "../docs/manual.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := reLabelTable.FindString(string(b))
	want := labelTable()
	if *update {
		if err := os.WriteFile(path, []byte(reLabelTable.ReplaceAllLiteralString(string(b), want)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("manual's label table is stale; run go test ./classify -run TestReadmeLabels -update (-want +got):\n%s", diff)
	}
}
