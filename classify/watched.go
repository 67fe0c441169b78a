package classify

import "slices"

// Sighting is what a watch saw of a group over the successive dumps of one
// process, which the two dumps a [Compare] reads cannot show: the group
// kept rising, or its goroutines stayed stuck fetch after fetch.
type Sighting int

// The sightings of a watch. The zero Sighting is none.
const (
	// SawProven: the goroutineleak profile marked goroutines of the group
	// "(leaked)", the GC's proof.
	SawProven Sighting = iota + 1
	// SawRising: the group rose at several of the last fetches and never
	// fell in between.
	SawRising
	// SawCrowd: the group reached the watch's threshold of goroutines at
	// one site.
	SawCrowd
	// SawStuck: goroutines new since the start of the watch, none of which
	// ended over several fetches, each blocked a minute or more.
	SawStuck
)

// WatchVerdict is the verdict of a group that [Compare] judged v, of class
// class, once a watch saw it do what saw says. It is the rule [Observe]
// applies, for a watch that must know whether a sighting would make a leak
// before it has the group:
//
//   - a group Compare judged ok stays ok: it is ignored, or it lives and
//     dies with what causes it (connections under load), so rising with
//     its cause is its normal life;
//   - the GC's proof is a leak;
//   - a blocking wait that keeps rising, stays stuck or crowds one site is
//     a leak, as new blocking goroutines are in a diff;
//   - a doubtful wait that keeps rising or stays stuck is a leak, as a
//     doubtful group that grew in every snapshot of a series is; a crowd
//     of them is only a suspect (a busy pool is a crowd too);
//   - a label of Unknown class is never a leak by what it did: a suspect.
//
// A watch never makes a verdict better than Compare's.
func WatchVerdict(v Verdict, class Class, saw Sighting) Verdict {
	if v == OK || saw == 0 {
		return v
	}
	seen := v
	switch {
	case saw == SawProven:
		seen = Leak
	case class == Blocking:
		seen = Leak
	case class == Doubtful && saw != SawCrowd:
		seen = Leak
	case class == Unknown, class == Doubtful:
		seen = Suspect
	}
	if seen.Rank() < v.Rank() {
		return seen
	}
	return v
}

// Observe records on g, a group of a [Compare] report, what a watch saw of
// it, why in words (kept once as evidence), and gives it its verdict by
// [WatchVerdict]. It returns the verdict. A group Compare judged ok is left
// as it was.
func Observe(g *Group, saw Sighting, why string) Verdict {
	v := WatchVerdict(g.Verdict, g.Class, saw)
	if v == g.Verdict && v == OK {
		return v
	}
	g.Verdict = v
	if why != "" && !slices.Contains(g.Evidence, why) {
		g.Evidence = append(g.Evidence, why)
	}
	return v
}

// Unproven is the verdict a watch shows with a group it has not judged a
// leak by what it saw ([Observe]): Compare's verdict, a leak lowered to a
// suspect. Compare of the watch's first dump and its latest calls new
// blocked goroutines a leak; a watch's leak is one its sightings prove,
// and an event must not say more than the watch concluded (a group still
// growing when the watch ends is a suspect, and the watch exits 0).
func Unproven(v Verdict) Verdict {
	if v == Leak {
		return Suspect
	}
	return v
}
