package report

import (
	"fmt"
	"io"

	"github.com/google/pprof/profile"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/parse"
)

// ProfileComment marks the profiles stackdiff writes, so that an existing
// one can be told from a goroutine profile a user may have given as input.
const ProfileComment = "stackdiff goroutine report"

// Profile turns the report into a pprof profile that go tool pprof and
// continuous profilers load: one sample per group, valued by its goroutine
// count in the last snapshot, with the group's verdict, label and state as
// string tags and its wait (minutes) and delta as numeric tags. Leaf frames
// come first, as pprof expects; the creator is the root-most frame, marked
// "created by", so -traces and flame graphs show where a group came from.
func Profile(r *classify.Report) *profile.Profile {
	p := &profile.Profile{
		SampleType:        []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		DefaultSampleType: "goroutine",
		PeriodType:        &profile.ValueType{Type: "goroutine", Unit: "count"},
		Period:            1,
		Comments:          []string{ProfileComment},
	}
	funcs := map[[2]string]*profile.Function{}
	locs := map[parse.Frame]*profile.Location{}
	location := func(f parse.Frame, prefix string) *profile.Location {
		f.Func = prefix + f.Func
		if l := locs[f]; l != nil {
			return l
		}
		fk := [2]string{f.Func, f.File}
		fn := funcs[fk]
		if fn == nil {
			fn = &profile.Function{ID: uint64(len(p.Function) + 1), Name: f.Func, SystemName: f.Func, Filename: f.File}
			funcs[fk] = fn
			p.Function = append(p.Function, fn)
		}
		l := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn, Line: int64(f.Line)}}}
		locs[f] = l
		p.Location = append(p.Location, l)
		return l
	}
	for _, g := range r.Groups {
		n := g.Counts[len(g.Counts)-1]
		s := &profile.Sample{
			Value: []int64{int64(n)},
			Label: map[string][]string{
				"verdict": {string(g.Verdict)},
				"label":   {string(g.Label)},
				"state":   {stateOrUnknown(g.State)},
			},
			NumLabel: map[string][]int64{"wait_minutes": {int64(g.WaitMinutes[1])}},
			NumUnit:  map[string][]string{"wait_minutes": {"minutes"}},
		}
		if len(g.Counts) > 1 {
			s.NumLabel["delta"] = []int64{int64(g.Delta)}
			s.NumUnit["delta"] = []string{"goroutines"}
		}
		for _, f := range display.Visible(g.Frames) {
			s.Location = append(s.Location, location(f, ""))
		}
		if g.CreatedBy != nil {
			s.Location = append(s.Location, location(*g.CreatedBy, "created by "))
		}
		p.Sample = append(p.Sample, s)
	}
	gateProfile(p)
	return p
}

// gateProfile passes every string of p through the gate: pprof shows
// function names, file names and tags in terminals and browsers.
func gateProfile(p *profile.Profile) {
	for _, fn := range p.Function {
		fn.Name = safetext.String(fn.Name)
		fn.SystemName = safetext.String(fn.SystemName)
		fn.Filename = safetext.String(fn.Filename)
	}
	for _, s := range p.Sample {
		labels := make(map[string][]string, len(s.Label))
		for k, vs := range s.Label {
			gated := make([]string, len(vs))
			for i, v := range vs {
				gated[i] = safetext.String(v)
			}
			labels[safetext.String(k)] = gated
		}
		s.Label = labels
	}
	for i, c := range p.Comments {
		p.Comments[i] = safetext.String(c)
	}
}

// WriteProfile writes the report as a gzipped protobuf pprof profile.
func WriteProfile(w io.Writer, r *classify.Report) error {
	p := Profile(r)
	if err := p.CheckValid(); err != nil {
		return fmt.Errorf("building the profile: %w", err)
	}
	return p.Write(w)
}

func stateOrUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
