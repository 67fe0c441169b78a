package parse

import (
	"slices"
	"strconv"
	"strings"

	"github.com/stackdiff/stackdiff/internal/sigkey"
)

// SplitByLabel splits every group of s by the value of the pprof label
// key: the goroutines whose label key has one value form a group of their
// own, marked with Split ("endpoint=/api/export"); those without the label
// stay in the group they were in. Labels never split a group otherwise.
// Aggregated groups split by their LabelSets. Groups are re-sorted.
func SplitByLabel(s *Snapshot, key string) {
	splitGroups(s, func(labels map[string]string) string {
		v, ok := labels[key]
		if !ok {
			return ""
		}
		return LabelPair(key, v)
	})
}

// SplitOffLabel moves the goroutines that carry label key=value out of
// their groups into groups of their own, marked with Split, so that a
// group either has them all or none: what ignoring by label needs.
func SplitOffLabel(s *Snapshot, key, value string) {
	splitGroups(s, func(labels map[string]string) string {
		if v, ok := labels[key]; ok && v == value {
			return LabelPair(key, value)
		}
		return ""
	})
}

// LabelPair is "key=value", each quoted as Go 1.27 quotes labels in a
// traceback when it holds more than letters, digits, '.', '/' and '_'.
func LabelPair(key, value string) string {
	return QuoteLabel(key) + "=" + QuoteLabel(value)
}

// QuoteLabel returns a label key or value as Go 1.27 prints it in a
// traceback: as it is when made only of ASCII letters, digits, '.', '/'
// and '_', else Go-quoted (control characters escaped).
func QuoteLabel(s string) string {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '/' || r == '_') {
			return strconv.Quote(s)
		}
	}
	return s
}

// splitGroups moves each goroutine for which part gives a name into a copy
// of its group whose Split says that name.
func splitGroups(s *Snapshot, part func(map[string]string) string) {
	var out []*Group
	for _, g := range s.Groups {
		parts := map[string]*Group{}
		sets := groupLabels{}
		var order []string
		into := func(name string) *Group {
			p := parts[name]
			if p == nil {
				p = &Group{Key: g.Key, State: g.State, Leaked: g.Leaked, Frames: g.Frames,
					CreatedBy: g.CreatedBy, Elided: g.Elided, Unavailable: g.Unavailable, Split: g.Split}
				// A group already split by this pair (by --by-label, then
				// by an --ignore label: of the same key) keeps its name.
				if name != "" && !hasSplit(g.Split, name) {
					p.Split = joinSplit(g.Split, name)
					var k sigkey.Builder // a label value can be any length
					k.WriteString(g.Key)
					k.WriteString("\nlabel ")
					k.WriteString(name)
					p.Key = k.String()
				}
				parts[name] = p
				order = append(order, name)
			}
			return p
		}
		if len(g.Members) > 0 {
			for _, m := range g.Members {
				p := into(part(m.Labels))
				p.Members = append(p.Members, m)
				p.Count++
				if m.Labels != nil {
					sets.add(p, labelKey(m.Labels), m.Labels, 1)
				}
			}
		} else {
			labelled := 0
			for _, ls := range g.LabelSets {
				p := into(part(ls.Labels))
				p.Count += ls.Count
				p.LabelSets = append(p.LabelSets, ls)
				labelled += ls.Count
			}
			if rest := g.Count - labelled; rest > 0 {
				into(part(nil)).Count += rest
			}
		}
		if len(order) == 1 && order[0] == "" {
			out = append(out, g) // untouched
			continue
		}
		for _, name := range order {
			p := parts[name]
			sets[p].sort(p.LabelSets)
			out = append(out, p)
		}
	}
	s.Groups = out
	SortGroups(s.Groups)
}

// hasSplit reports whether split, pairs joined by spaces, holds name.
func hasSplit(split, name string) bool {
	return split == name || strings.HasPrefix(split, name+" ") || strings.HasSuffix(split, " "+name) || strings.Contains(split, " "+name+" ")
}

func joinSplit(old, name string) string {
	if old == "" {
		return name
	}
	return old + " " + name
}

// DeleteMembers removes the goroutines del accepts from a group of a
// traceback format, keeping Count and LabelSets right, and returns how many
// it removed. A caller restores the snapshot's order with [SortGroups].
func (g *Group) DeleteMembers(del func(Member) bool) int {
	n := len(g.Members)
	labelled := false
	g.Members = slices.DeleteFunc(g.Members, func(m Member) bool {
		if del(m) {
			labelled = labelled || m.Labels != nil
			return true
		}
		return false
	})
	removed := n - len(g.Members)
	g.Count -= removed
	if labelled {
		// One pass over what is left: removing goroutine by goroutine
		// from the sets cost the sets' number for each one removed.
		g.RecountLabelSets()
	}
	return removed
}

// MergeLabelSets returns the label sets of a and b together, counts of
// equal sets added, in the documented order (largest first, then by
// labels). a and b are not changed; either is returned when the other is
// empty.
func MergeLabelSets(a, b []LabelSet) []LabelSet {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	}
	out := make([]LabelSet, 0, len(a)+len(b))
	idx := labelIndex{}
	for _, ls := range slices.Concat(a, b) {
		idx.add(&out, labelKey(ls.Labels), ls.Labels, ls.Count)
	}
	idx.sort(out)
	return out
}
