package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// Options tune the text report. The zero value shows changed, leaked and
// suspect groups without stacks.
type Options struct {
	All      bool // show every group
	Frames   int  // frames shown under each leak or suspect group
	MinDelta int  // hide ok groups whose count changed by less
	Color    bool // ANSI colours
}

// Text writes the human report: a headline, a table of groups, and the
// details of each leak and suspect.
func Text(w io.Writer, r *classify.Report, c Options) error {
	bw := bufio.NewWriter(w)
	p := &printer{w: bw, color: c.Color}
	p.headline(r)
	shown := visible(r, c)
	if len(shown) > 0 {
		fmt.Fprintln(bw)
		p.table(r, shown)
	}
	for _, g := range shown {
		if g.Verdict != classify.OK {
			p.detail(g, c.Frames)
		}
	}
	if hidden := len(r.Groups) - len(shown); hidden > 0 && !c.All {
		fmt.Fprintf(bw, "\n%d unchanged groups not shown (--all shows them)\n", hidden)
	}
	return bw.Flush()
}

// visible picks the groups worth a row: every leak and suspect, and the
// groups that changed.
func visible(r *classify.Report, c Options) []*classify.Group {
	var out []*classify.Group
	for _, g := range r.Groups {
		if c.All || g.Verdict != classify.OK || g.Delta != 0 && abs(g.Delta) >= max(1, c.MinDelta) {
			out = append(out, g)
		}
	}
	return out
}

type printer struct {
	w     *bufio.Writer
	color bool
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) verdict(v classify.Verdict) string {
	switch v {
	case classify.Leak:
		return p.paint("1;31", "leak")
	case classify.Suspect:
		return p.paint("33", "suspect")
	}
	return "ok"
}

// headline says what happened in one line.
func (p *printer) headline(r *classify.Report) {
	s := r.Summary
	groups := func(n int) string {
		if n == 1 {
			return "1 group"
		}
		return strconv.Itoa(n) + " groups"
	}
	var b strings.Builder
	if len(r.Inputs) > 1 {
		first, last := r.Inputs[0], r.Inputs[len(r.Inputs)-1]
		fmt.Fprintf(&b, "%d new goroutines since %s (%d → %d)", s.New, first.Name, first.Goroutines, last.Goroutines)
	} else {
		fmt.Fprintf(&b, "%d goroutines in %s, %s", r.Inputs[0].Goroutines, r.Inputs[0].Name, groups(r.Inputs[0].Groups))
	}
	if s.LeakGroups > 0 {
		fmt.Fprintf(&b, "; %d look leaked, in %s", s.Leaked, groups(s.LeakGroups))
	} else {
		b.WriteString("; no leaks")
	}
	switch s.SuspectGroups {
	case 0:
	case 1:
		b.WriteString("; 1 suspect group")
	default:
		fmt.Fprintf(&b, "; %d suspect groups", s.SuspectGroups)
	}
	fmt.Fprintln(p.w, b.String())
}

func (p *printer) table(r *classify.Report, shown []*classify.Group) {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', tabwriter.AlignRight*0)
	cols := []string{"VERDICT", "LABEL", "Δ"}
	for _, in := range r.Inputs {
		cols = append(cols, shortName(in.Name))
	}
	cols = append(cols, "STATE", "SITE", "CREATED BY")
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, g := range shown {
		row := []string{string(g.Verdict), string(g.Label), signed(g.Delta)}
		for _, n := range g.Counts {
			row = append(row, strconv.Itoa(n))
		}
		row = append(row, stateText(g), frameText(g.Site), frameText(g.CreatedBy))
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

// detail prints the stack, evidence, reason and fix of a leak or suspect.
func (p *printer) detail(g *classify.Group, frames int) {
	fmt.Fprintf(p.w, "\n%s %s %s  (%s)\n", p.verdict(g.Verdict), p.paint("1", string(g.Label)), signed(g.Delta), countsText(g.Counts))
	for _, e := range g.Evidence {
		fmt.Fprintf(p.w, "    evidence: %s\n", e)
	}
	fmt.Fprintf(p.w, "    why: %s\n", g.Reason)
	fmt.Fprintf(p.w, "    fix: %s\n", g.Fix)
	if frames == 0 {
		return
	}
	shownFrames := g.Frames
	if len(shownFrames) > frames {
		shownFrames = shownFrames[:frames]
	}
	for _, f := range shownFrames {
		fmt.Fprintf(p.w, "      %s\n          %s:%d\n", f.Func, f.File, f.Line)
	}
	if n := len(g.Frames) - len(shownFrames); n > 0 {
		fmt.Fprintf(p.w, "      ... %d more frames (--frames)\n", n)
	}
	if g.CreatedBy != nil {
		fmt.Fprintf(p.w, "      created by %s\n          %s:%d\n", g.CreatedBy.Func, g.CreatedBy.File, g.CreatedBy.Line)
	}
}

func stateText(g *classify.Group) string {
	s := g.State
	if s == "" {
		s = "?"
	}
	if w := g.WaitMinutes; w[1] > 0 {
		if w[0] == w[1] {
			s += fmt.Sprintf(", %d min", w[1])
		} else {
			s += fmt.Sprintf(", %d-%d min", w[0], w[1])
		}
	}
	if g.Leaked > 0 {
		s += " (leaked)"
	}
	return s
}

// frameText is "pkg.Func file.go:12", with the package path and the file's
// directories cut down to what identifies them in a row.
func frameText(f *parse.Frame) string {
	if f == nil {
		return "-"
	}
	fn := f.Func
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	return fmt.Sprintf("%s %s:%d", fn, path.Base(f.File), f.Line)
}

func shortName(name string) string {
	return path.Base(strings.ReplaceAll(name, "\\", "/"))
}

func countsText(counts []int) string {
	s := make([]string, len(counts))
	for i, n := range counts {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " → ")
}

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// UseColor decides on colour: --color always/never, else only on a
// terminal and when NO_COLOR is unset.
func UseColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
