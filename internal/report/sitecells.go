package report

import (
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/parse"
)

// siteCells returns the SITE cell of each shown group. Groups whose rows
// would read alike (one state, site and creator) differ further down
// their stacks: each such cell names, after "via", its caller at the first
// depth below the site where its stack parts from the others', so that
// no two rows look the same.
func siteCells(shown []*classify.Group) []string {
	cells := make([]string, len(shown))
	alike := map[string][]int{}
	var keys []string
	for i, g := range shown {
		cells[i] = FrameText(g.Site)
		k := stateText(g) + "\x00" + cells[i] + "\x00" + FrameText(g.CreatedBy)
		if alike[k] == nil {
			keys = append(keys, k)
		}
		alike[k] = append(alike[k], i)
	}
	for _, k := range keys {
		rows := alike[k]
		if len(rows) < 2 {
			continue
		}
		callers := make([][]parse.Frame, len(rows))
		for j, i := range rows {
			frames := display.Visible(shown[i].Frames)
			callers[j] = frames[siteIndex(frames, shown[i].Site)+1:]
		}
		for j, part := range partings(callers) {
			cells[rows[j]] += part
		}
	}
	return cells
}

// partings returns, for each stack of callers, " via F" for its first
// frame F that not every other stack has at the same depth, or " (its
// start)" when it ends before the others part from it. One pass per
// depth, counting the frames there: linear in the frames, however many
// rows read alike.
func partings(callers [][]parse.Frame) []string {
	out := make([]string, len(callers))
	deepest := 0
	for _, c := range callers {
		deepest = max(deepest, len(c))
	}
	left := len(callers)
	for d := 0; d < deepest && left > 0; d++ {
		count := map[parse.Frame]int{}
		for _, c := range callers {
			if d < len(c) {
				count[c[d]]++
			}
		}
		for j, c := range callers {
			switch {
			case out[j] != "":
			case d >= len(c):
				out[j] = " (its start)" // the others were called from further down
				left--
			case count[c[d]] < len(callers):
				out[j] = " via " + FrameText(&c[d])
				left--
			}
		}
	}
	return out
}
