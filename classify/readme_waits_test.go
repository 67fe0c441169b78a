package classify_test

import (
	"cmp"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
)

var reWaitTable = regexp.MustCompile(`(?s)<!-- waits:begin -->\n.*?<!-- waits:end -->`)

var waitsTable = classify.DefaultWaits()

// waitTable renders classify.DefaultWaits as the README's thresholds table: the
// most suspicious kinds first.
func waitTable() string {
	var labels []classify.Label
	for l := range waitsTable {
		labels = append(labels, l)
	}
	after := func(m int) int {
		if m == 0 {
			return 1 << 30
		}
		return m
	}
	slices.SortFunc(labels, func(a, b classify.Label) int {
		wa, wb := waitsTable[a], waitsTable[b]
		if c := cmp.Compare(wb.Weight, wa.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(after(wa.SuspectAfter), after(wb.SuspectAfter)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var b strings.Builder
	b.WriteString("<!-- waits:begin -->\n| label | weight | suspect after | crowd at one site | why |\n|---|---|---|---|---|\n")
	for _, l := range labels {
		w := waitsTable[l]
		t := "–"
		if w.SuspectAfter > 0 {
			t = fmt.Sprintf("%d min", w.SuspectAfter)
		}
		if l == classify.NilChan || l == classify.SelectNoCases {
			t = "any wait, outside main"
		}
		fmt.Fprintf(&b, "| `%s` | %d | %s | %d | %s |\n", l, w.Weight, t, w.Crowd, w.Why)
	}
	b.WriteString("<!-- waits:end -->")
	return b.String()
}

// TestReadmeWaits keeps the README's per-wait thresholds table in step
// with classify.DefaultWaits (-update rewrites it), and every label that can be a
// leak or suspect in the table.
func TestReadmeWaits(t *testing.T) {
	for l, info := range classify.DefaultLabels() {
		if _, ok := waitsTable[l]; ok != (info.Class != classify.Benign) {
			t.Errorf("%s: in Waits = %v, but its class is %v", l, ok, info.Class)
		}
	}
	const path = "../docs/manual.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := waitTable()
	if *update {
		if err := os.WriteFile(path, []byte(reWaitTable.ReplaceAllLiteralString(string(b), want)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := gocmp.Diff(want, reWaitTable.FindString(string(b))); diff != "" {
		t.Errorf("manual's thresholds table is stale; run go test ./classify -run TestReadmeWaits -update (-want +got):\n%s", diff)
	}
}
