package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/internal/term"
	"github.com/stackdiff/stackdiff/parse"
)

// Options tune the text report. The zero value shows changed, leaked and
// suspect groups without stacks.
type Options struct {
	All      bool // show every group
	Frames   int  // frames shown under each leak or suspect group
	MinDelta int  // hide ok groups whose count changed by less
	Color    bool // ANSI colours
	Width    int  // cut table rows to this many columns; 0: no limit
	// FlagHints names the stackdiff flags that show what was left out
	// ("--all", "--frames"). Only the CLI sets it: a report printed by a
	// library (a failed test, a monitor's log) has no such flags.
	FlagHints bool
	// SourceHint says once, naming --source-root, that some shown group
	// might have had a more specific label with its source at hand.
	SourceHint bool
}

// maxCountColumns is how many snapshots get a count column of their own; a
// longer series shows the first, the last and a trend.
const maxCountColumns = 6

// Text writes the human report: a headline, a table of groups, and the
// details of each leak and suspect.
func Text(w io.Writer, r *classify.Report, c Options) error {
	gw := safetext.NewWriter(w)
	bw := bufio.NewWriter(gw)
	p := &printer{w: bw, color: c.Color}
	p.events(r)
	p.headline(r)
	p.leftOut(r)
	p.culprits(r, c)
	shown := visible(r, c)
	if len(shown) > 0 {
		fmt.Fprintln(bw)
		p.table(r, shown, c.Width)
	}
	for _, g := range shown {
		if g.Verdict != classify.OK {
			p.detail(g, c)
		}
	}
	p.whyOK(shown)
	if c.SourceHint && slices.ContainsFunc(shown, func(g *classify.Group) bool { return g.NoSource && g.Verdict != classify.OK }) {
		fmt.Fprintln(bw, "\nnote: source not found for a channel wait above; with it, it might be labelled timer, ticker or context-never-cancelled (--source-root DIR)")
	}
	if hidden := len(r.Groups) - len(shown); hidden > 0 {
		fmt.Fprintf(bw, "\n%s not shown%s\n", hiddenText(r, shown, hidden), hint(c, " (--all shows them)")) // rank.go
	}
	return flush(bw, gw)
}

// flush empties the buffer, then the gate's last line.
func flush(bw *bufio.Writer, gw *safetext.Writer) error {
	if err := bw.Flush(); err != nil {
		return err
	}
	return gw.Flush()
}

// visible picks the groups worth a row: every leak and suspect, and the ok
// groups that changed. Within one process an ok group changed only if it
// has new goroutines: a goroutine that moved to another line (the one
// taking the dump) is not news.
func visible(r *classify.Report, c Options) []*classify.Group {
	if len(r.Inputs) == 1 && !c.All {
		return firstScreen(r) // rank.go
	}
	var out []*classify.Group
	for _, g := range r.Groups {
		changed := g.Delta != 0 && abs(g.Delta) >= max(1, c.MinDelta)
		if r.SameProcess {
			changed = g.New > 0 && g.New >= c.MinDelta
		}
		if c.All || g.Ignored == "" && (g.Verdict != classify.OK || changed) {
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
	if !p.color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func verdictColor(v classify.Verdict) string {
	switch v {
	case classify.Leak:
		return "1;31"
	case classify.Suspect:
		return "33"
	}
	return ""
}

// events prints each input's event in the runtime's words, named after
// its input when there are several.
func (p *printer) events(r *classify.Report) {
	for _, in := range r.Inputs {
		lines := EventLines(in.Event)
		for i, line := range lines {
			if i == 0 && len(r.Inputs) > 1 {
				line = in.Name + ": " + line
			}
			if i > 0 {
				line = "    " + line
			}
			fmt.Fprintln(p.w, p.paint("1", safetext.String(line)))
		}
	}
}

// leftOut says, under the headline, what was taken out of the inputs
// before they were compared, so that no count changes silently: one line
// per reason, over all inputs.
func (p *printer) leftOut(r *classify.Report) {
	var whys []string
	count, inputs := map[string]int{}, map[string]int{}
	for _, in := range r.Inputs {
		for _, l := range in.LeftOut {
			if inputs[l.Why] == 0 {
				whys = append(whys, l.Why)
			}
			count[l.Why] += l.Count
			inputs[l.Why]++
		}
	}
	for _, why := range whys {
		line := fmt.Sprintf("left out: %s %s", Plural(count[why], "goroutine"), why)
		if len(r.Inputs) > 1 {
			line += fmt.Sprintf(" (in %d of %d inputs)", inputs[why], len(r.Inputs))
		}
		fmt.Fprintln(p.w, safetext.String(line))
	}
}

// headline prints the headline, coloured by the worst verdict.
func (p *printer) headline(r *classify.Report) {
	fmt.Fprintln(p.w, p.paint(verdictColor(worst(r)), safetext.String(Headline(r))))
}

// Headline says what happened in one line: the new goroutines (or, for one
// dump, its size), the leaks and the suspects. The text and HTML reports
// open with it.
func Headline(r *classify.Report) string {
	s := r.Summary
	var b strings.Builder
	switch {
	case len(r.Inputs) > 1:
		first, last := r.Inputs[0], r.Inputs[len(r.Inputs)-1]
		fmt.Fprintf(&b, "%s since %s (%d → %s)", Plural(s.New, "new goroutine"), first.Name, first.Goroutines, Plural(last.Goroutines, "goroutine"))
	case len(r.Inputs) == 1:
		in := r.Inputs[0]
		fmt.Fprintf(&b, "%s in %s, %s", Plural(in.Goroutines, "goroutine"), in.Name, Plural(in.Groups, "group"))
	default:
		b.WriteString("no goroutine dump")
	}
	if s.LeakGroups > 0 {
		b.WriteString(leakText(r)) // rank.go
	} else if len(r.Inputs) == 1 {
		b.WriteString("; no leak proven, most suspicious first") // one dump: ranked, see rank.go
	} else {
		b.WriteString("; no leaks")
	}
	if s.SuspectGroups > 0 {
		fmt.Fprintf(&b, "; %s", Plural(s.SuspectGroups, "suspect group"))
	}
	return b.String()
}

func worst(r *classify.Report) classify.Verdict {
	if len(r.Groups) == 0 {
		return classify.OK
	}
	return r.Groups[0].Verdict // groups are sorted worst first
}

// Plural is "1 goroutine", "2 goroutines", "3 fetches".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "ch") {
		return strconv.Itoa(n) + " " + what + "es"
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// maxWhyOK is how many ok groups that grew get a line saying why they
// are ok.
const maxWhyOK = 10

// whyOK says, one line a group, why the shown ok groups that grew are ok
// (connections, requests in flight): growth with no word of why would
// leave the reader to guess whether the tool looked at all.
func (p *printer) whyOK(shown []*classify.Group) {
	var lines []string
	more := 0
	for _, g := range shown {
		if g.Verdict != classify.OK || g.Ignored != "" || len(g.Evidence) == 0 || g.Delta <= 0 && g.New <= 0 {
			continue
		}
		if len(lines) == maxWhyOK {
			more++
			continue
		}
		lines = append(lines, fmt.Sprintf("    %s %s: %s", g.Label, Signed(g.Delta), safetext.String(strings.Join(g.Evidence, "; "))))
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(p.w, "\n%s\n", p.paint(verdictColor(classify.OK), "ok, though they grew:"))
	for _, l := range lines {
		fmt.Fprintln(p.w, l)
	}
	if more > 0 {
		fmt.Fprintf(p.w, "    and %d more (--json has their evidence)\n", more)
	}
}

// detail prints the evidence, reason, fix and stack of a leak or suspect.
func (p *printer) detail(g *classify.Group, c Options) {
	head := fmt.Sprintf("%s %s", g.Verdict, g.Label)
	counts := fmt.Sprintf("×%d", g.Counts[len(g.Counts)-1])
	if len(g.Counts) > 1 {
		counts = fmt.Sprintf("%s (%s)", Signed(g.Delta), display.JoinCounts(g.Counts))
	}
	fmt.Fprintf(p.w, "\n%s  %s  %s\n", p.paint(verdictColor(g.Verdict), head), counts, stateText(g))
	for _, e := range g.Evidence {
		fmt.Fprintf(p.w, "    evidence: %s\n", safetext.String(e))
	}
	if o := originText(g.Origins); o != "" {
		fmt.Fprintf(p.w, "    origin:   %s\n", safetext.String(o))
	}
	if l := labelSetsText(g); l != "" {
		fmt.Fprintf(p.w, "    labels:   %s\n", l)
	}
	fmt.Fprintf(p.w, "    why:      %s\n", g.Reason)
	fmt.Fprintf(p.w, "    fix:      %s\n", g.Fix)
	if !g.Culprit { // a culprit's stack is shown first already
		p.frames(g, c)
	}
}

// frames prints up to c.Frames frames of the group's stack and its creator.
func (p *printer) frames(g *classify.Group, c Options) {
	frames := c.Frames
	if frames == 0 {
		return
	}
	all := display.Visible(g.Frames)
	shown := all
	if len(shown) > frames {
		shown = shown[:frames]
	}
	for _, f := range shown {
		p.frame("", f)
	}
	rest := len(all) - len(shown)
	if i := siteIndex(all, g.Site); i >= len(shown) { // rank.go: never hide the site
		if n := i - len(shown); n > 0 {
			fmt.Fprintf(p.w, "      ... %s\n", moreFrames(n))
		}
		p.frame("", all[i])
		rest = len(all) - i - 1
	}
	if rest > 0 {
		fmt.Fprintf(p.w, "      ... %s%s\n", moreFrames(rest), hint(c, " (--frames)"))
	}
	if g.CreatedBy != nil {
		p.frame("created by ", *g.CreatedBy)
	}
}

// moreFrames says how many frames were not shown: "3 more frames".
func moreFrames(n int) string {
	if n == 1 {
		return "1 more frame"
	}
	return strconv.Itoa(n) + " more frames"
}

// frame prints one frame; standard-library frames are dimmed so the
// program's own code stands out.
func (p *printer) frame(prefix string, f parse.Frame) {
	text := fmt.Sprintf("      %s%s\n          %s:%d", prefix, safetext.String(f.Func), safetext.String(f.File), f.Line)
	if display.IsStdlib(f.Func) {
		text = p.paint("2", text)
	}
	fmt.Fprintln(p.w, text)
}

// hint returns h when the report may name CLI flags, else "".
func hint(c Options, h string) string {
	if c.FlagHints {
		return h
	}
	return ""
}

func stateText(g *classify.Group) string {
	s := safetext.String(g.State)
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
	if g.Split != "" {
		s += " {" + safetext.String(g.Split) + "}"
	}
	return s
}

// FrameText is "pkg.Func file.go:12", with the package path and the file's
// directories cut down to what identifies them in a row.
func FrameText(f *parse.Frame) string {
	if f == nil {
		return "-"
	}
	fn := display.ShortFunc(f.Func)
	if f.File == "" {
		return safetext.String(fn)
	}
	return safetext.String(fmt.Sprintf("%s %s:%d", fn, path.Base(f.File), f.Line))
}

func shortName(name string) string {
	return safetext.String(path.Base(strings.ReplaceAll(name, "\\", "/")))
}

// Signed is n with its sign: "+3", "0", "-2".
func Signed(n int) string {
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
	return os.Getenv("NO_COLOR") == "" && term.IsTerminal(w)
}
