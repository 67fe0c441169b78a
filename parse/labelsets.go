package parse

import (
	"cmp"
	"slices"
	"strconv"
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
	keys := make([]string, len(sets))
	for i, ls := range sets {
		keys[i] = labelKey(ls.Labels)
	}
	sortKeyed(sets, keys)
}

// sort orders sets, the list x indexes, as sortLabelSets does, with the
// keys x holds: a group can hold hundreds of thousands of sets (a request
// ID), and each key was built once already.
func (x labelIndex) sort(sets []LabelSet) {
	if len(x) != len(sets) {
		sortLabelSets(sets)
		return
	}
	keys := make([]string, len(sets))
	for k, i := range x {
		keys[i] = k
	}
	sortKeyed(sets, keys)
}

// sortKeyed sorts sets, keys[i] being the key of sets[i].
func sortKeyed(sets []LabelSet, keys []string) {
	type keyed struct {
		ls  LabelSet
		key string
	}
	ks := make([]keyed, len(sets))
	for i, ls := range sets {
		ks[i] = keyed{ls, keys[i]}
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

// labelKey is a canonical text of a label set, for ordering: its pairs
// sorted by key, each quoted as strconv.Quote does. It runs once per
// distinct set, which a dump of goroutines labelled with request IDs has
// by the hundred thousand: it sorts a few keys in place and quotes
// without escaping what needs none.
func labelKey(m map[string]string) string {
	var small [8]string
	keys := small[:0]
	n := 0
	for k, v := range m {
		keys = append(keys, k)
		n += len(k) + len(v) + 4
	}
	slices.Sort(keys)
	b := make([]byte, 0, n+len(keys))
	for _, k := range keys {
		b = appendQuoted(b, k)
		b = append(b, ':')
		b = appendQuoted(b, m[k])
		b = append(b, ',')
	}
	return string(b)
}

// appendQuoted appends s quoted as strconv.Quote quotes it.
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
