package report

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/stackdiff/stackdiff/classify"
)

// Lines writes one line per leak and suspect group, at its blocking site,
// in the "file:line: message" form compilers and go vet use, so editors
// jump to the site and CI systems annotate the line:
//
//	api.go:31: leak: 42 goroutines (+40) blocked sending on a channel that nobody receives from (chan-send), created by main.fetchAll at api.go:88; fix: ...
//
// A path that lies under one of roots (absolute directories, tried in
// order) is made relative to it; others are printed as the dump gives them.
func Lines(w io.Writer, r *classify.Report, roots []string) error {
	bw := bufio.NewWriter(w)
	for _, g := range r.Groups {
		if g.Verdict == classify.OK {
			continue
		}
		site := g.Site
		if site == nil {
			site = classify.TopNonRuntime(g.Frames)
		}
		loc := "-:0"
		if site != nil {
			loc = fmt.Sprintf("%s:%d", relPath(site.File, roots), site.Line)
		}
		count := plural(g.Counts[len(g.Counts)-1], "goroutine")
		if len(g.Counts) > 1 {
			count += " (" + signed(g.Delta) + ")"
		}
		line := fmt.Sprintf("%s: %s: %s %s (%s)", loc, g.Verdict, count, g.Reason, g.Label)
		if c := g.CreatedBy; c != nil {
			line += ", created by " + ShortFunc(c.Func)
			if c.File != "" {
				line += fmt.Sprintf(" at %s:%d", path.Base(c.File), c.Line)
			}
		}
		line += "; fix: " + g.Fix
		fmt.Fprintln(bw, Printable(line))
	}
	return bw.Flush()
}

// relPath makes file relative to the first root it lies under. Dumps use
// forward slashes whatever the system; so does the result.
func relPath(file string, roots []string) string {
	if file == "" {
		return "-"
	}
	for _, root := range roots {
		rel, err := filepath.Rel(root, filepath.FromSlash(file))
		if err == nil && filepath.IsAbs(filepath.FromSlash(file)) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return file
}
