package capture

import (
	"errors"
	"slices"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// IgnoreLabel ignores the goroutines that carry the pprof label key=value
// (set with pprof.Do or pprof.SetGoroutineLabels, and inherited by the
// goroutines they start): the CLI's --ignore label:KEY=VALUE. Like the CLI
// it moves them out of their groups first ([parse.SplitOffLabel]), so that
// a stack shared by labelled and unlabelled goroutines is judged for the
// unlabelled ones alone, and [classify.IgnoreLabel] gives their groups the
// verdict ok.
func IgnoreLabel(key, value string) Option {
	return optionFunc(func(o *opts) {
		if key == "" {
			o.errs = append(o.errs, errors.New("capture: IgnoreLabel needs a label key"))
			return
		}
		o.ignore = append(o.ignore, classify.IgnoreLabel(key, value))
		o.splitOff = append(o.splitOff, [2]string{key, value})
	})
}

// ByLabel splits every group by the value of the pprof label key, as the
// CLI's --by-label KEY does ([parse.SplitByLabel]): the goroutines of one
// stack under endpoint=/api/export are reported apart from those under
// endpoint=/api/import ("leaks only under endpoint=/api/export").
// Goroutines without the label stay in their group. Given more than once,
// groups are split by each key.
func ByLabel(key string) Option {
	return optionFunc(func(o *opts) {
		if key == "" {
			o.errs = append(o.errs, errors.New("capture: ByLabel needs a label key"))
			return
		}
		o.byLabel = append(o.byLabel, key)
	})
}

// wantsLabels reports whether an option reads the goroutines' labels.
func (o *opts) wantsLabels() bool { return len(o.byLabel) > 0 || len(o.splitOff) > 0 }

// splitLabels applies ByLabel and IgnoreLabel to s as the CLI applies
// --by-label and --ignore label: before a snapshot is compared. A
// traceback whose headers print no labels (Go 1.26 without
// GODEBUG=tracebacklabels=1, a module whose go line is before 1.27) first
// gets them from prof, the goroutine profile at debug=1, which carries
// them on every Go version; nil prof means write one now. Where goroutines
// of one stack carry different labels, the profile says how many carry
// each set, not which goroutine does: each stack's count per label is
// exact, the IDs given each set are a guess.
func (o *opts) splitLabels(s *parse.Snapshot, prof *parse.Snapshot) error {
	if !o.wantsLabels() {
		return nil
	}
	if !hasLabels(s) && hasMembers(s) {
		if prof == nil {
			p, err := profile("goroutine")
			if err != nil {
				return err
			}
			prof = p
		}
		labelsFrom(s, prof, nil)
	}
	for _, key := range o.byLabel {
		parse.SplitByLabel(s, key)
	}
	for _, kv := range o.splitOff {
		parse.SplitOffLabel(s, kv[0], kv[1])
	}
	return nil
}

// hasLabels reports whether a goroutine of s shows labels: where a header
// prints them, the runtime prints them for every labelled goroutine.
func hasLabels(s *parse.Snapshot) bool {
	return slices.ContainsFunc(s.Groups, func(g *parse.Group) bool { return len(g.LabelSets) > 0 })
}

// hasMembers reports whether s is a traceback (goroutines one by one).
func hasMembers(s *parse.Snapshot) bool {
	return slices.ContainsFunc(s.Groups, func(g *parse.Group) bool { return len(g.Members) > 0 })
}

// labelsFrom gives the goroutines of traceback s the label sets of prof's
// debug=1 records with the same stack (stackKey), as many goroutines per
// set as the record counts, keeping only the sets keep accepts (nil: all).
// Goroutines left over keep no labels.
func labelsFrom(s, prof *parse.Snapshot, keep func(map[string]string) bool) {
	if prof == nil {
		return
	}
	byKey := map[string][]parse.LabelSet{}
	for _, g := range prof.Groups {
		for _, ls := range g.LabelSets {
			if keep == nil || keep(ls.Labels) {
				k := stackKey(g.Frames)
				byKey[k] = append(byKey[k], ls)
			}
		}
	}
	if len(byKey) == 0 {
		return
	}
	for _, g := range s.Groups {
		k := stackKey(g.Frames)
		sets := byKey[k]
		if len(sets) == 0 {
			continue
		}
		for i := range g.Members {
			for len(sets) > 0 && sets[0].Count == 0 {
				sets = sets[1:]
			}
			if len(sets) == 0 {
				break
			}
			g.Members[i].Labels = sets[0].Labels
			sets[0].Count--
		}
		byKey[k] = sets
		g.RecountLabelSets()
	}
}
