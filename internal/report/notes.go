package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/parse"
)

// originText says where a group's goroutines descend from, when the dump's
// ancestry (GODEBUG=tracebackancestors) shows it: "TestFetchAll (3),
// main.startWorkers (2)".
func originText(origins []classify.Origin) string {
	var parts []string
	for _, o := range origins {
		name := o.Test
		if name == "" {
			name = display.ShortFunc(o.Func)
		}
		if name == "" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", name, o.Count))
	}
	return strings.Join(parts, ", ")
}

// shownLabelSets is how many label sets the text and HTML reports show
// per group; the JSON output lists up to maxJSONLabelSets.
const (
	shownLabelSets   = 3
	maxJSONLabelSets = 100
)

// labelSetsText lists the largest label sets of a group's goroutines in the
// last snapshot, as the runtime prints them, with counts:
// "{endpoint: /api/export, tenant: acme} ×4, {endpoint: /api/import} ×1,
// and 2 more sets; 3 without labels". Empty when no goroutine has labels.
// Keys and values are dump text: passwords in URLs are hidden and control
// characters escaped.
func labelSetsText(g *classify.Group) string {
	sets := g.LabelSets
	if len(sets) == 0 {
		return ""
	}
	var b strings.Builder
	labelled := 0
	for i, ls := range sets {
		labelled += ls.Count
		if i >= shownLabelSets {
			continue
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s ×%d", labelSetText(ls.Labels), ls.Count)
	}
	if more := len(sets) - shownLabelSets; more > 0 {
		fmt.Fprintf(&b, ", and %d more %s", more, plural(more, "set"))
	}
	if rest := last(g.Counts) - labelled; rest > 0 {
		fmt.Fprintf(&b, "; %d without labels", rest)
	}
	return b.String()
}

// labelSetText is one label set in the runtime's form: each key and value
// redacted and capped, then quoted as the runtime quotes them, which
// escapes what the gate would (the text writer escapes what is left).
func labelSetText(labels map[string]string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(labels)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(parse.QuoteLabel(safetext.Cap(safetext.Redact(k))))
		b.WriteString(": ")
		b.WriteString(parse.QuoteLabel(safetext.Cap(safetext.Redact(labels[k]))))
	}
	b.WriteByte('}')
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// jsonLabelSet is one entry of a group's label_sets (additive to schema
// v1): the labels, scrubbed of URL passwords, and how many of the group's
// goroutines in the last snapshot carry them.
type jsonLabelSet struct {
	Labels map[string]string `json:"labels"`
	Count  int               `json:"count"`
}

// wireLabelSets returns at most maxJSONLabelSets label sets, largest
// first, and how many more there are.
func wireLabelSets(sets []parse.LabelSet) ([]jsonLabelSet, int) {
	var out []jsonLabelSet
	for _, ls := range sets[:min(len(sets), maxJSONLabelSets)] {
		m := make(map[string]string, len(ls.Labels))
		for k, v := range ls.Labels {
			m[k] = v // safetext.Walk gates the whole document
		}
		out = append(out, jsonLabelSet{Labels: m, Count: ls.Count})
	}
	return out, len(sets) - len(out)
}
