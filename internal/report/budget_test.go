package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/parse"
)

// TestJSONGroupsBudget: past its budget the JSON report lists the first
// groups of the report's order and counts the rest in groups_cut; the rest
// of the report is unchanged, and within the budget nothing differs at all.
func TestJSONGroupsBudget(t *testing.T) {
	r := realReport(t)
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
		n, err := writeJSON(&cut, r, budget)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(cut.Bytes(), &got); err != nil {
			t.Fatalf("budget %d: %v", budget, err)
		}
		listed := got["groups"].([]any)
		if n != len(groups)-len(listed) {
			t.Errorf("budget %d: writeJSON says %d groups cut; %d are", budget, n, len(groups)-len(listed))
		}
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
	if n, err := writeJSON(&within, r, full.Len()); err != nil || n != 0 {
		t.Fatalf("within the budget: %d groups cut, %v", n, err)
	}
	if !bytes.Equal(within.Bytes(), full.Bytes()) {
		t.Error("a report within its budget is not the report JSON writes")
	}
}

// realReport is the report on a real SIGQUIT dump of many groups.
func realReport(t *testing.T) *classify.Report {
	t.Helper()
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
	return r
}

// TestHTMLGroupsBudget: past its budget the page shows the first groups
// and a note counting the rest, and its tallies still count every group;
// within it, the page is the one HTML writes.
func TestHTMLGroupsBudget(t *testing.T) {
	r := realReport(t)
	render := func(p *htmlPage) string {
		var b bytes.Buffer
		safetext.Walk(p)
		if err := htmlTemplate.Execute(&b, p); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	var full bytes.Buffer
	if err := HTML(&full, r); err != nil {
		t.Fatal(err)
	}
	if got := render(newHTMLPageMax(r, 1<<30)); got != full.String() {
		t.Error("a page within its budget is not the page HTML writes")
	}
	whole := newHTMLPageMax(r, 1<<30)
	p := newHTMLPageMax(r, whole.Groups[0].size()+whole.Groups[1].size())
	if len(p.Groups) != 2 || p.GroupsCut != len(r.Groups)-2 {
		t.Fatalf("%d groups shown, %d cut; want 2 and %d", len(p.Groups), p.GroupsCut, len(r.Groups)-2)
	}
	if diff := cmp.Diff(whole.Verdicts, p.Verdicts); diff != "" {
		t.Errorf("tallies mismatch (-all shown +cut):\n%s", diff)
	}
	page := render(p)
	if n := strings.Count(page, `<details class="group `); n != 2 {
		t.Errorf("%d groups on the page, want 2", n)
	}
	if want := fmt.Sprintf("%d more groups are not shown", len(r.Groups)-2); !strings.Contains(page, want) {
		t.Errorf("the page does not say %q", want)
	}
}
