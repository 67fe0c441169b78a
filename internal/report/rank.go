package report

import (
	"fmt"
	"strings"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// firstScreenRows is how many groups a single dump's report shows at least:
// one dump has no baseline, so instead of only the flagged groups it shows
// the groups most worth reading, ranked by suspicion.
const firstScreenRows = 10

// firstScreen picks a single dump's rows: every leak and suspect, then the
// ok groups in rank order (the report is sorted by verdict, then
// suspicion) up to firstScreenRows. Groups with no suspicion at all (the
// runtime's workers, running goroutines) fill the screen only when nothing
// else would be shown.
func firstScreen(r *classify.Report) []*classify.Group {
	var out []*classify.Group
	for _, g := range r.Groups {
		if g.Verdict != classify.OK || len(out) < firstScreenRows && g.Suspicion > 0 {
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		out = r.Groups[:min(len(r.Groups), firstScreenRows)]
	}
	return out
}

// hiddenText names the groups left out of the table: in a single dump the
// ones ranked lower; in a diff the ok groups that are unchanged, and those
// that changed without new goroutines (within one process: goroutines that
// only moved) or by less than --min-delta.
func hiddenText(r *classify.Report, shown []*classify.Group, hidden int) string {
	if len(r.Inputs) == 1 {
		return fmt.Sprintf("%s, ranked lower,", Plural(hidden, "more group"))
	}
	in := map[*classify.Group]bool{}
	for _, g := range shown {
		in[g] = true
	}
	unchanged, ignored := 0, 0
	for _, g := range r.Groups {
		switch {
		case in[g]:
		case g.Ignored != "":
			ignored++
		case g.Delta == 0 && g.New == 0:
			unchanged++
		}
	}
	changed := "changed by less than --min-delta"
	if r.SameProcess {
		changed = "without new goroutines"
	}
	var parts []string
	if unchanged > 0 {
		parts = append(parts, fmt.Sprintf("%d unchanged", unchanged))
	}
	if n := hidden - unchanged - ignored; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, changed))
	}
	if ignored > 0 {
		parts = append(parts, fmt.Sprintf("%d ignored by --ignore", ignored))
	}
	if len(parts) == 1 {
		switch {
		case unchanged == hidden:
			return Plural(hidden, "unchanged ok group")
		case ignored == hidden:
			return Plural(hidden, "group") + " ignored by --ignore"
		case unchanged == 0 && ignored == 0:
			return Plural(hidden, "ok group") + " " + changed
		}
	}
	return fmt.Sprintf("%s (%s)", Plural(hidden, "ok group"), strings.Join(parts, ", "))
}

// siteIndex returns the index of the group's site among its visible
// frames, or -1.
func siteIndex(frames []parse.Frame, site *parse.Frame) int {
	if site == nil {
		return -1
	}
	for i, f := range frames {
		if f == *site {
			return i
		}
	}
	return -1
}

// leakText is the headline's part about leaks, in numbers that add up: in
// a diff, the leaked goroutines are "of them" (the new ones) when every
// goroutine of the leak groups is new; otherwise the leak groups' size is
// given with how many of them are new.
func leakText(r *classify.Report) string {
	s := r.Summary
	verb := "look"
	if s.Leaked == 1 {
		verb = "looks"
	}
	if len(r.Inputs) > 1 {
		if s.NewInLeakGroups == s.Leaked {
			return fmt.Sprintf("; %d of them %s leaked, in %s", s.Leaked, verb, Plural(s.LeakGroups, "group"))
		}
		return fmt.Sprintf("; %s %s leaked, in %s (%d of them new)", Plural(s.Leaked, "goroutine"), verb, Plural(s.LeakGroups, "group"), s.NewInLeakGroups)
	}
	return fmt.Sprintf("; %d %s leaked, in %s", s.Leaked, verb, Plural(s.LeakGroups, "group"))
}
