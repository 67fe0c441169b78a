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
		for j, i := range rows {
			switch f := partingFrame(callers, j); {
			case f != nil:
				cells[i] += " via " + FrameText(f)
			case shorter(callers, j):
				cells[i] += " (its start)" // the others were called from further down
			}
		}
	}
	return cells
}

// partingFrame returns the first frame of callers[j] that some other
// stack of callers does not have at the same depth, or nil.
func partingFrame(callers [][]parse.Frame, j int) *parse.Frame {
	for d := range callers[j] {
		for o := range callers {
			if o != j && (d >= len(callers[o]) || callers[o][d] != callers[j][d]) {
				return &callers[j][d]
			}
		}
	}
	return nil
}

// shorter reports whether some other stack of callers goes deeper than
// callers[j].
func shorter(callers [][]parse.Frame, j int) bool {
	for o := range callers {
		if len(callers[o]) > len(callers[j]) {
			return true
		}
	}
	return false
}
