package report

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// TestJSONGroupsBudget: past its budget the JSON report lists the first
// groups of the report's order and counts the rest in groups_cut; the rest
// of the report is unchanged, and within the budget nothing differs at all.
func TestJSONGroupsBudget(t *testing.T) {
	f, err := os.Open("../../parse/testdata/generated/sigquit_gotraceback_all.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snaps, err := parse.ReadAll(f, "sigquit.txt")
	if err != nil {
		t.Fatal(err)
	}
	r := classify.Compare(snaps, nil)
	if len(r.Groups) < 4 {
		t.Fatalf("%d groups, want several to cut", len(r.Groups))
	}
	var full bytes.Buffer
	if err := JSON(&full, r); err != nil {
		t.Fatal(err)
	}
	var whole map[string]any
	if err := json.Unmarshal(full.Bytes(), &whole); err != nil {
		t.Fatal(err)
	}
	groups := whole["groups"].([]any)
	for _, budget := range []int{0, full.Len() / 3, full.Len() / 2} {
		var cut bytes.Buffer
		if err := writeJSON(&cut, r, budget); err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(cut.Bytes(), &got); err != nil {
			t.Fatalf("budget %d: %v", budget, err)
		}
		listed := got["groups"].([]any)
		if len(listed) == 0 || len(listed) == len(groups) {
			t.Fatalf("budget %d of %d bytes: %d groups listed of %d", budget, full.Len(), len(listed), len(groups))
		}
		if budget > 0 && cut.Len() > full.Len()-budget {
			t.Errorf("budget %d: %d bytes of %d, more than the budget lets through", budget, cut.Len(), full.Len())
		}
		want := map[string]any{}
		for k, v := range whole {
			want[k] = v
		}
		want["groups"] = groups[:len(listed)]
		want["groups_cut"] = float64(len(groups) - len(listed))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("budget %d: report mismatch (-want +got):\n%s", budget, diff)
		}
	}
	var within bytes.Buffer
	if err := writeJSON(&within, r, full.Len()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(within.Bytes(), full.Bytes()) {
		t.Error("a report within its budget is not the report JSON writes")
	}
}
