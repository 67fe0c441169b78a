package report

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// The HTML report's template, stylesheet and script, kept in their own files
// and inlined into every report: the page loads nothing.
//
//go:embed html/report.tmpl html/report.css html/report.js
var htmlFiles embed.FS

var (
	htmlTemplate = template.Must(template.New("report.tmpl").ParseFS(htmlFiles, "html/report.tmpl"))
	htmlCSS      = mustRead("html/report.css")
	htmlJS       = mustRead("html/report.js")
	// htmlCSP allows exactly the embedded stylesheet and script and nothing
	// else: no other script, no network, no form submission. Should a dump
	// ever slip markup past the escaping, the browser would still refuse to
	// run or fetch it.
	htmlCSP = template.HTML(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; ` +
		`style-src '` + cspHash(htmlCSS) + `'; script-src '` + cspHash(htmlJS) + `'; ` +
		`img-src 'none'; base-uri 'none'; form-action 'none'">`)
)

func mustRead(name string) string {
	b, err := htmlFiles.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

const (
	// htmlIDLimit caps the goroutine IDs listed under a group.
	htmlIDLimit = 200
	// chartLimit caps the groups drawn in the chart; all are listed.
	chartLimit = 30
)

// HTML writes the report as one self-contained HTML page: the headline,
// verdict counts, a chart of goroutines per group across the snapshots, and
// a collapsible section per group with its stack, reason, fix and goroutine
// IDs, with a filter that works offline. Everything taken from the dumps is
// escaped; the same report always gives the same bytes.
func HTML(w io.Writer, r *classify.Report) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	bw := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(bw, newHTMLPage(r)); err != nil {
		return err
	}
	return bw.Flush()
}

type htmlPage struct {
	CSP      template.HTML
	CSS      template.CSS
	JS       template.JS
	Headline string
	Event    []string // the last input's event, in the runtime's words
	Worst    classify.Verdict
	Verdicts []htmlTally
	Inputs   []htmlInput
	Matching string
	Chart    *htmlChart
	Labels   []string
	Groups   []htmlGroup
}

type htmlTally struct {
	Verdict    classify.Verdict
	Groups     int
	Goroutines int
}

type htmlInput struct {
	N          int
	Name       string
	Format     parse.Format
	Goroutines int
	Groups     int
	Warnings   []string
}

type htmlGroup struct {
	ID, Label  string
	Verdict    classify.Verdict
	Open       bool
	CountsText string
	Delta      string
	State      string
	Wait       string
	SiteShort  string
	Reason     string
	Fix        string
	Evidence   []string
	Counts     []htmlCount
	New        int
	Leaked     int
	Site       *htmlFrame
	CreatedBy  *htmlFrame
	Frames     []htmlFrame
	IDs        []htmlID
	MoreIDs    int
	IDsNote    string
}

type htmlCount struct {
	Name string
	N    int
}

type htmlFrame struct {
	Func, Loc string
	Std       bool
	Site      bool
}

type htmlID struct {
	ID  int64
	New bool
}

func newHTMLPage(r *classify.Report) *htmlPage {
	p := &htmlPage{
		CSP:      htmlCSP,
		CSS:      template.CSS(htmlCSS),
		JS:       template.JS(htmlJS),
		Headline: Headline(r),
		Worst:    worst(r),
		Event:    lastEvent(r),
		Matching: matchingNote(r),
	}
	tallies := map[classify.Verdict]*htmlTally{}
	for _, v := range []classify.Verdict{classify.Leak, classify.Suspect, classify.OK} {
		p.Verdicts = append(p.Verdicts, htmlTally{Verdict: v})
	}
	for i := range p.Verdicts {
		tallies[p.Verdicts[i].Verdict] = &p.Verdicts[i]
	}
	for i, in := range r.Inputs {
		p.Inputs = append(p.Inputs, htmlInput{N: i + 1, Name: in.Name, Format: in.Format,
			Goroutines: in.Goroutines, Groups: in.Groups, Warnings: in.Warnings})
	}
	labels := map[string]bool{}
	for i, g := range r.Groups {
		if t := tallies[g.Verdict]; t != nil {
			t.Groups++
			t.Goroutines += last(g.Counts)
		}
		if !labels[string(g.Label)] {
			labels[string(g.Label)] = true
			p.Labels = append(p.Labels, string(g.Label))
		}
		p.Groups = append(p.Groups, newHTMLGroup(r, i, g))
	}
	slices.Sort(p.Labels)
	p.Chart = newChart(r)
	return p
}

func matchingNote(r *classify.Report) string {
	switch {
	case len(r.Inputs) < 2:
		return "One snapshot: a postmortem. Verdicts come from the wait states, the runtime's leak marks, wait times and crowd sizes."
	case r.SameProcess:
		return "The snapshots come from one process: goroutines are matched by ID, so “new” means a goroutine that did not exist in the first snapshot."
	}
	return "Goroutines are matched by stack: the counts of identical stacks are compared (the snapshots share no goroutine IDs, or their format has none)."
}

func groupID(i int) string { return "g" + strconv.Itoa(i+1) }

func newHTMLGroup(r *classify.Report, i int, g *classify.Group) htmlGroup {
	multi := len(r.Inputs) > 1
	h := htmlGroup{
		ID:        groupID(i),
		Label:     string(g.Label),
		Verdict:   g.Verdict,
		Open:      g.Verdict != classify.OK,
		State:     stateText(g),
		SiteShort: frameText(g.Site),
		Reason:    g.Reason,
		Fix:       g.Fix,
		Evidence:  g.Evidence,
		New:       g.New,
		Leaked:    g.Leaked,
	}
	if multi {
		h.CountsText = countsText(g.Counts)
		h.Delta = signed(g.Delta)
	} else {
		h.CountsText = plural(last(g.Counts), "goroutine")
	}
	for j, n := range g.Counts {
		name := strconv.Itoa(j + 1)
		if j < len(r.Inputs) {
			name = r.Inputs[j].Name
		}
		h.Counts = append(h.Counts, htmlCount{Name: name, N: n})
	}
	if w := g.WaitMinutes; w[1] > 0 {
		if w[0] == w[1] {
			h.Wait = plural(w[1], "minute")
		} else {
			h.Wait = strconv.Itoa(w[0]) + " to " + strconv.Itoa(w[1]) + " minutes"
		}
	}
	siteSeen := false
	for _, f := range g.Frames {
		hf := newHTMLFrame(f)
		if g.Site != nil && !siteSeen && f == *g.Site {
			hf.Site, siteSeen = true, true
		}
		h.Frames = append(h.Frames, hf)
	}
	if g.Site != nil {
		f := newHTMLFrame(*g.Site)
		h.Site = &f
	}
	if g.CreatedBy != nil {
		f := newHTMLFrame(*g.CreatedBy)
		h.CreatedBy = &f
	}
	newIDs := map[int64]bool{}
	for _, id := range g.NewIDs {
		newIDs[id] = true
	}
	ids := g.IDs
	if len(ids) > htmlIDLimit {
		h.MoreIDs = len(ids) - htmlIDLimit
		ids = ids[:htmlIDLimit]
	}
	for _, id := range ids {
		h.IDs = append(h.IDs, htmlID{ID: id, New: r.SameProcess && newIDs[id]})
	}
	where := "in the last snapshot"
	if !multi {
		where = "in the dump"
	}
	switch {
	case len(g.IDs) > 0:
		h.IDsNote = strconv.Itoa(len(g.IDs)) + " " + where
		if r.SameProcess && len(g.NewIDs) > 0 {
			h.IDsNote += "; new ones in bold"
		}
	case last(g.Counts) == 0:
		h.IDsNote = "none " + where
	default:
		h.IDsNote = "this dump format has no goroutine IDs"
	}
	return h
}

func newHTMLFrame(f parse.Frame) htmlFrame {
	loc := f.File
	if loc != "" && f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
	}
	return htmlFrame{Func: f.Func, Loc: loc, Std: classify.IsStdlib(f.Func)}
}

func last(counts []int) int {
	if len(counts) == 0 {
		return 0
	}
	return counts[len(counts)-1]
}

// The chart: an SVG drawn on a 960-wide canvas that scales to the page.
// Kinds: "bars" (two snapshots, before and after bars per group), "series"
// (three or more: a sparkline per group), "single" (one snapshot).
type htmlChart struct {
	Kind, Title, Desc, Note string
	Width, Height           int
	RowHeight               int
	LabelX, PlotX           int
	CountsX, DeltaX         int
	AxisTop, AxisBottom     int
	TickTextY               int
	Legend                  []chartLegend
	Ticks                   []chartTick
	Rows                    []chartRow
}

type chartLegend struct {
	Class, Text string
	X, TextX    int
}

type chartTick struct {
	X    string
	Text int
}

type chartRow struct {
	ID, Label, Sub, Tooltip string
	Verdict                 classify.Verdict
	Odd                     bool
	Y, LabelY, SubY         int
	Counts, Delta           string
	Bars                    []chartBar
	Spark                   *chartSpark
}

type chartBar struct {
	Class    string
	Y, H     int
	W, TextX string
	TextY    int
	Value    int
}

type chartSpark struct {
	Line, Area string
	DotX, DotY string
}

const (
	chartWidth     = 960
	chartLabelX    = 236 // right edge of the labels
	chartPlotX     = 250 // left edge of bars and lines
	chartBarWidth  = 590 // longest bar
	chartSparkW    = 420
	chartRowHeight = 40
	chartTop       = 46 // first row
)

func newChart(r *classify.Report) *htmlChart {
	if len(r.Groups) == 0 || len(r.Inputs) == 0 {
		return nil
	}
	picked := chartGroups(r)
	c := &htmlChart{
		Width: chartWidth, RowHeight: chartRowHeight,
		LabelX: chartLabelX, PlotX: chartPlotX,
		DeltaX: chartWidth - 10, CountsX: chartPlotX + chartSparkW + 24,
		AxisTop: chartTop - 4, TickTextY: chartTop - 10,
	}
	c.AxisBottom = chartTop + len(picked)*chartRowHeight
	c.Height = c.AxisBottom + 6
	n := len(r.Inputs)
	switch {
	case n == 2:
		c.Kind = "bars"
		c.Title = "Goroutines per group, before and after"
		first, lastName := shortName(r.Inputs[0].Name), shortName(r.Inputs[1].Name)
		c.Desc = "Bar chart: goroutines per group in " + first + " (grey) and " + lastName + " (coloured by verdict)."
		c.legend([][2]string{{"before", first}, {"leak", ""}, {"suspect", ""}, {"ok", lastName + " (by verdict: leak, suspect, ok)"}})
	case n > 2:
		c.Kind = "series"
		c.Title = "Goroutines per group across " + strconv.Itoa(n) + " snapshots"
		c.Desc = "One line per group: its goroutine count in each snapshot, from " + shortName(r.Inputs[0].Name) + " to " + shortName(r.Inputs[n-1].Name) + "."
		c.legend([][2]string{{"leak", ""}, {"suspect", ""}, {"ok", "each line scaled to its own largest count; first → last count on the right"}})
	default:
		c.Kind = "single"
		c.Title = "Goroutines per group"
		c.Desc = "Bar chart: goroutines per group in " + shortName(r.Inputs[0].Name) + ", coloured by verdict."
		c.legend([][2]string{{"leak", ""}, {"suspect", ""}, {"ok", "goroutines in " + shortName(r.Inputs[0].Name) + " (by verdict)"}})
	}
	top := 0
	for _, i := range picked {
		for _, v := range r.Groups[i].Counts {
			top = max(top, v)
		}
	}
	if c.Kind != "series" {
		for _, t := range ticks(top) {
			c.Ticks = append(c.Ticks, chartTick{X: num(chartPlotX + scale(t, top, chartBarWidth)), Text: t})
		}
	}
	for row, i := range picked {
		g := r.Groups[i]
		y := chartTop + row*chartRowHeight
		cr := chartRow{
			ID: groupID(i), Label: string(g.Label), Verdict: g.Verdict, Odd: row%2 == 0,
			Y: y, LabelY: y + 18, SubY: y + 32,
			Sub: cutLeft(siteFunc(g), 36),
		}
		cr.Tooltip = string(g.Verdict) + " " + string(g.Label) + ": " + countsText(g.Counts)
		if n > 1 {
			cr.Tooltip += " (" + signed(g.Delta) + ")"
		}
		if s := siteFunc(g); s != "" {
			cr.Tooltip += " at " + s
		}
		switch c.Kind {
		case "bars":
			cr.Bars = []chartBar{
				bar("before", g.Counts[0], top, y+7, 12),
				bar("now", g.Counts[1], top, y+21, 12),
			}
			cr.Delta = signed(g.Delta)
		case "series":
			cr.Spark = spark(g.Counts, y+6, 28)
			cr.Counts = countsText([]int{g.Counts[0], last(g.Counts)})
			cr.Delta = signed(g.Delta)
		default:
			cr.Bars = []chartBar{bar("now", last(g.Counts), top, y+13, 14)}
		}
		c.Rows = append(c.Rows, cr)
	}
	if left := len(r.Groups) - len(picked); left > 0 {
		c.Note = "The chart shows the " + strconv.Itoa(len(picked)) + " groups that changed most; " +
			plural(left, "smaller group") + " left out of it " + isAre(left) + " listed below with the others."
	}
	return c
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// legend lays out swatches and their texts left to right. The width of a
// text is guessed from its length: no fonts are measured, so the layout is
// the same everywhere.
func (c *htmlChart) legend(items [][2]string) {
	x := chartPlotX
	for _, it := range items {
		l := chartLegend{Class: it[0], Text: it[1], X: x, TextX: x + 19}
		c.Legend = append(c.Legend, l)
		if it[1] == "" {
			x += 18
		} else {
			x += 19 + 7*len([]rune(it[1])) + 24
		}
	}
}

// chartGroups picks the groups to chart, in report order: every group when
// there are few, else the chartLimit most telling ones (worst verdict, then
// largest change, then largest count).
func chartGroups(r *classify.Report) []int {
	idx := make([]int, len(r.Groups))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) <= chartLimit {
		return idx
	}
	rank := func(v classify.Verdict) int {
		switch v {
		case classify.Leak:
			return 0
		case classify.Suspect:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ga, gb := r.Groups[a], r.Groups[b]
		if d := rank(ga.Verdict) - rank(gb.Verdict); d != 0 {
			return d
		}
		if d := abs(gb.Delta) - abs(ga.Delta); d != 0 {
			return d
		}
		if d := last(gb.Counts) - last(ga.Counts); d != 0 {
			return d
		}
		return a - b
	})
	idx = idx[:chartLimit]
	slices.Sort(idx)
	return idx
}

func bar(class string, v, top, y, h int) chartBar {
	w := scale(v, top, chartBarWidth)
	return chartBar{Class: class, Y: y, H: h, W: num(w), TextX: num(chartPlotX + w + 5), TextY: y + 10, Value: v}
}

func spark(counts []int, y, h int) *chartSpark {
	top := 0
	for _, v := range counts {
		top = max(top, v)
	}
	bottom := float64(y + h)
	step := float64(chartSparkW) / float64(len(counts)-1)
	var line []string
	var lx, ly float64
	for i, v := range counts {
		lx = float64(chartPlotX) + float64(i)*step
		ly = bottom - scale(v, top, float64(h))
		line = append(line, num(lx)+","+num(ly))
	}
	pts := strings.Join(line, " ")
	area := pts + " " + num(lx) + "," + num(bottom) + " " + num(chartPlotX) + "," + num(bottom)
	return &chartSpark{Line: pts, Area: area, DotX: num(lx), DotY: num(ly)}
}

func scale(v, top int, length float64) float64 {
	if top <= 0 {
		return 0
	}
	return float64(v) / float64(top) * length
}

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// ticks returns round axis values from 0 up to top, at most about six.
func ticks(top int) []int {
	if top <= 0 {
		return []int{0}
	}
	step := 0
	for mag := 1; step == 0; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			if s := m * mag; top/s <= 5 {
				step = s
				break
			}
		}
	}
	var out []int
	for t := 0; t <= top; t += step {
		out = append(out, t)
	}
	return out
}

// siteFunc is the blocking site's function without its package path.
func siteFunc(g *classify.Group) string {
	f := g.Site
	if f == nil {
		f = g.CreatedBy
	}
	if f == nil {
		return ""
	}
	fn := f.Func
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	return fn
}

// cutLeft shortens s to n runes, keeping the end (a function's own name).
func cutLeft(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

func lastEvent(r *classify.Report) []string {
	if len(r.Inputs) == 0 {
		return nil
	}
	return EventLines(r.Inputs[len(r.Inputs)-1].Event)
}
