package parse

// RecountLabelSets sets LabelSets from the labels of the group's Members,
// for a caller that gave its goroutines labels the dump did not print (a
// traceback whose headers carry none, matched with a profile that does).
// Groups of aggregated formats, which have no Members, are left alone.
func (g *Group) RecountLabelSets() {
	if len(g.Members) == 0 {
		if g.Count == 0 {
			g.LabelSets = nil // every goroutine taken out
		}
		return
	}
	var sets []LabelSet
	idx := labelIndex{}
	for _, m := range g.Members {
		if m.Labels != nil {
			idx.add(&sets, labelKey(m.Labels), m.Labels, 1)
		}
	}
	idx.sort(sets)
	g.LabelSets = sets
}
