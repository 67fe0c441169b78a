package report

import (
	"bufio"
	"io"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/safetext"
)

// Detail writes what the text report says under a leak or suspect group:
// a blank line, the verdict, counts and state, the evidence, reason and
// fix, and up to frames frames of the stack. stackdiff --watch prints it
// when a group first becomes a leak.
func Detail(w io.Writer, g *classify.Group, frames int, color bool) error {
	gw := safetext.NewWriter(w)
	bw := bufio.NewWriter(gw)
	p := &printer{w: bw, color: color}
	p.detail(g, Options{Frames: frames})
	return flush(bw, gw)
}
