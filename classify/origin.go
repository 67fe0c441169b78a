package classify

import (
	"cmp"
	"slices"
)

// Across processes (a restart, two replicas) goroutines share no IDs, and
// groups are matched by their exact stack. A worker that waited for a job
// in the first dump and sleeps inside one in the second has moved from one
// group to another: the second group grew, but no goroutine is new. So
// newness is decided per origin first — the goroutine's function (its
// root-most frame outside the runtime) and its creator — and only an
// origin that gained goroutines has new ones, shared among its groups that
// grew.

// origin names where a group's goroutines come from: the function they
// were started with and the function that started them. Without creators
// in some input (debug=1, protobuf), the creator is left out for all:
// those inputs cannot say it, and a text dump's goroutines would
// otherwise never share an origin with theirs.
func origin(g *Group, withCreator bool) string {
	fn := ""
	frames := stackFrames(g.Frames)
	for i := len(frames) - 1; i >= 0; i-- {
		if !isRuntime(frames[i].Func) && !isGoWrapper(frames[i].Func) {
			fn = frames[i].Func
			break
		}
	}
	if withCreator && g.CreatedBy != nil {
		return fn + "\ncreated by " + g.CreatedBy.Func
	}
	return fn
}

// newByOrigin sets New of every group when the snapshots come from
// different processes: an origin's gain (last count − first count, over
// its groups) is shared among its groups that grew, in proportion to their
// growth (largest remainders first, then by key, so the shares add up to
// the gain exactly).
func (c *comparer) newByOrigin() {
	byOrigin := map[string][]*Group{}
	var origins []string
	for _, e := range c.order {
		o := origin(e.g, !c.stackOnly)
		if byOrigin[o] == nil {
			origins = append(origins, o)
		}
		byOrigin[o] = append(byOrigin[o], e.g)
	}
	for _, o := range origins {
		groups := byOrigin[o]
		gain, grown := 0, 0
		var grew []*Group
		for _, g := range groups {
			gain += g.Delta
			g.New = 0
			if g.Delta > 0 {
				grown += g.Delta
				grew = append(grew, g)
			}
		}
		if gain <= 0 {
			continue
		}
		if gain == grown { // nothing moved out of the origin's other groups
			for _, g := range grew {
				g.New = g.Delta
			}
			continue
		}
		share(gain, grown, grew)
	}
}

// share divides gain among groups in proportion to their Delta (which sum
// to grown ≥ gain), by largest remainder.
func share(gain, grown int, groups []*Group) {
	type part struct {
		g   *Group
		rem int // remainder of gain*Delta/grown, in units of 1/grown
	}
	parts := make([]part, len(groups))
	given := 0
	for i, g := range groups {
		q := gain * g.Delta
		g.New = q / grown
		given += g.New
		parts[i] = part{g, q % grown}
	}
	slices.SortFunc(parts, func(a, b part) int {
		if c := cmp.Compare(b.rem, a.rem); c != 0 {
			return c
		}
		return cmp.Compare(a.g.Key, b.g.Key)
	})
	for i := 0; given < gain; i++ {
		parts[i].g.New++
		given++
	}
}
