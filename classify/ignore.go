package classify

import (
	"strings"

	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/parse"
)

// Ignore says that the goroutines it matches are expected: [Compare] gives
// their group the verdict ok with the evidence "ignored: " + What. It is
// the one way to ignore goroutines in stackdiff: the CLI's --ignore and
// capture's Ignore options are built from the constructors below, so a
// name means the same thing everywhere.
type Ignore struct {
	What  string // what is ignored, in words: "top function net/http.(*persistConn).readLoop"
	Match Matcher
}

// IgnoreTopFunction ignores stacks whose top function is name: the first
// frame printed (what goleak calls the top), the first outside the
// runtime, or the blocking site the report's SITE column prints (past the
// standard library and lock wrappers), so names taken from either tool
// work. Names match as in [FuncMatches].
func IgnoreTopFunction(name string) Ignore {
	return Ignore{What: "top function " + name, Match: func(s *Stack) bool {
		if len(s.Frames) > 0 && FuncMatches(s.Frames[0].Func, name) {
			return true
		}
		if top := display.TopNonRuntime(s.Frames); top != nil && FuncMatches(top.Func, name) {
			return true
		}
		site := Site(s.Frames)
		return site != nil && FuncMatches(site.Func, name)
	}}
}

// IgnoreAnyFunction ignores stacks with a frame whose function is name
// (see [FuncMatches]).
func IgnoreAnyFunction(name string) Ignore {
	return Ignore{What: "function " + name, Match: func(s *Stack) bool {
		for _, f := range s.Frames {
			if FuncMatches(f.Func, name) {
				return true
			}
		}
		return false
	}}
}

// IgnoreCreatedBy ignores goroutines started by a go statement in function
// name (see [FuncMatches]).
func IgnoreCreatedBy(name string) Ignore {
	return Ignore{What: "created by " + name, Match: func(s *Stack) bool {
		return s.CreatedBy != nil && FuncMatches(s.CreatedBy.Func, name)
	}}
}

// IgnoreLabel ignores groups whose goroutines all carry the pprof label
// key=value. A group of goroutines with and without it is not ignored:
// [parse.SplitOffLabel] first moves them into groups of their own, as the
// CLI's --ignore label:KEY=VALUE does.
func IgnoreLabel(key, value string) Ignore {
	return Ignore{What: "label " + parse.LabelPair(key, value), Match: func(s *Stack) bool {
		n := 0
		for _, ls := range s.LabelSets {
			if v, ok := ls.Labels[key]; ok && v == value {
				n += ls.Count
			}
		}
		return n > 0 && n == s.Count
	}}
}

// FuncMatches reports whether the fully qualified function fn is called
// name: its full name ("net/http.(*persistConn).readLoop"), the name a
// report prints without the package path ("http.(*persistConn).readLoop"),
// or any shorter suffix that starts after a "/" or "." ("readLoop",
// "(*persistConn).readLoop"). A person copies a name from wherever it is
// printed; "Loop" does not match readLoop.
func FuncMatches(fn, name string) bool {
	if name == "" || !strings.HasSuffix(fn, name) {
		return false
	}
	if len(fn) == len(name) {
		return true
	}
	c := fn[len(fn)-len(name)-1]
	return c == '/' || c == '.'
}

// ignored returns the What of the first ignore that matches s (or "") and
// counts, in hits, every ignore that matches.
func ignored(ignores []Ignore, hits []int, s *Stack) string {
	why := ""
	for i, ig := range ignores {
		if ig.Match == nil || !ig.Match(s) {
			continue
		}
		hits[i]++
		if why == "" {
			why = ig.What
		}
	}
	return why
}
