package parse

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// labelIndex finds the label sets of one list by their canonical text
// (labelKey): every place that counts goroutines by label set (a
// traceback's members, debug=1 records, protobuf samples, a split, a
// merge, a recount) counts through it.
type labelIndex map[string]int

// add counts n goroutines under labels, whose labelKey is key, in *sets:
// one more set if the list has none with that key.
func (x labelIndex) add(sets *[]LabelSet, key string, labels map[string]string, n int) {
	if i, ok := x[key]; ok {
		(*sets)[i].Count += n
		return
	}
	x[key] = len(*sets)
	*sets = append(*sets, LabelSet{Labels: labels, Count: n})
}

// groupLabels holds a labelIndex for each group's LabelSets.
type groupLabels map[*Group]labelIndex

// add counts n goroutines of g under labels, whose labelKey is key.
func (gl groupLabels) add(g *Group, key string, labels map[string]string, n int) {
	x := gl[g]
	if x == nil {
		x = labelIndex{}
		gl[g] = x
	}
	x.add(&g.LabelSets, key, labels, n)
}

// sortLabelSets orders label sets the most goroutines first, then by key.
func sortLabelSets(sets []LabelSet) {
	if len(sets) < 2 {
		return
	}
	// Each set's key is built once, not at every comparison: a group can
	// hold thousands of sets.
	type keyed struct {
		ls  LabelSet
		key string
	}
	ks := make([]keyed, len(sets))
	for i, ls := range sets {
		ks[i] = keyed{ls, labelKey(ls.Labels)}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		if c := cmp.Compare(y.ls.Count, x.ls.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.key, y.key)
	})
	for i, k := range ks {
		sets[i] = k.ls
	}
}

// labelKey is a canonical text of a label set, for ordering.
func labelKey(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(strconv.Quote(k))
		b.WriteByte(':')
		b.WriteString(strconv.Quote(m[k]))
		b.WriteByte(',')
	}
	return b.String()
}
