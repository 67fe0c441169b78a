package report

import (
	"bufio"
	"fmt"
	"io"
	"path"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/safetext"
)

// Lines writes one line per leak and suspect group, at its blocking site,
// in the "file:line: message" form compilers and go vet use, so editors
// jump to the site and CI systems annotate the line:
//
//	api.go:31: leak: 42 goroutines (+40) blocked sending on a channel that nobody receives from (chan-send), created by main.fetchAll at api.go:88; fix: ...
//
// rel, if not nil, turns a file name as the dump gives it into the one to
// print (the CLI makes it relative to the source roots).
func Lines(w io.Writer, r *classify.Report, rel func(file string) string) error {
	if rel == nil {
		rel = func(f string) string { return f }
	}
	gw := safetext.NewWriter(w)
	bw := bufio.NewWriter(gw)
	for _, g := range r.Groups {
		if g.Verdict == classify.OK {
			continue
		}
		site := g.Site
		if site == nil {
			site = display.TopNonRuntime(g.Frames)
		}
		loc := "-:0"
		if site != nil {
			loc = fmt.Sprintf("%s:%d", safetext.String(rel(site.File)), site.Line)
		}
		count := Plural(g.Counts[len(g.Counts)-1], "goroutine")
		if len(g.Counts) > 1 {
			count += " (" + Signed(g.Delta) + ")"
		}
		line := fmt.Sprintf("%s: %s: %s %s (%s)", loc, g.Verdict, count, g.Reason, g.Label)
		if c := g.CreatedBy; c != nil {
			line += ", created by " + safetext.String(display.ShortFunc(c.Func))
			if c.File != "" {
				line += fmt.Sprintf(" at %s:%d", safetext.String(path.Base(c.File)), c.Line)
			}
		}
		line += "; fix: " + g.Fix
		fmt.Fprintln(bw, line)
	}
	return flush(bw, gw)
}
