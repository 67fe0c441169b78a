package report

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"slices"
	"strconv"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/internal/safetext"
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
	// chartLimit caps the groups drawn in the chart.
	chartLimit = 30
)

// MaxHTMLGroups bounds the bytes of the groups an HTML page shows, as
// estimated before the page is written (markup and escaping make the page
// a little larger). A 133 KB protobuf profile of 20,000 stacks over shared
// locations made a page of 329 MB; the groups are shown in the report's
// order as long as they fit, and a note counts the rest. The tallies count
// every group.
const MaxHTMLGroups = 32 << 20

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
	page := newHTMLPage(r)
	safetext.Walk(page) // every string from the report, chart and title included
	if err := htmlTemplate.Execute(bw, page); err != nil {
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
	// GroupsCut counts the groups past MaxHTMLGroups, not shown.
	GroupsCut int
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
	Culprit    bool   // the goroutine the dump's event names (see classify.Group)
	Origin     string // the tests or functions it descends from, when the dump shows ancestry
	Labels     string // its goroutines' pprof label sets, when they carry labels
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
	return newHTMLPageMax(r, MaxHTMLGroups)
}

// newHTMLPageMax is newHTMLPage showing about budget bytes of groups.
func newHTMLPageMax(r *classify.Report, budget int) *htmlPage {
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
			Goroutines: in.Goroutines, Groups: in.Groups, Warnings: copyAll(in.Warnings)})
	}
	labels := map[string]bool{}
	shown := 0
	for i, g := range r.Groups {
		if t := tallies[g.Verdict]; t != nil {
			t.Groups++
			t.Goroutines += last(g.Counts)
		}
		if p.GroupsCut > 0 {
			p.GroupsCut++
			continue
		}
		h := newHTMLGroup(r, i, g)
		if shown += h.size(); i > 0 && shown > budget {
			p.GroupsCut++
			continue
		}
		if !labels[string(g.Label)] {
			labels[string(g.Label)] = true
			p.Labels = append(p.Labels, string(g.Label))
		}
		p.Groups = append(p.Groups, h)
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
		Open:      g.Verdict != classify.OK || g.Culprit,
		Culprit:   g.Culprit,
		State:     stateText(g),
		SiteShort: FrameText(g.Site),
		Reason:    g.Reason,
		Fix:       g.Fix,
		Evidence:  copyAll(g.Evidence),
		Origin:    originText(g.Origins),
		Labels:    labelSetsText(g),
		New:       g.New,
		Leaked:    g.Leaked,
	}
	if multi {
		h.CountsText = display.JoinCounts(g.Counts)
		h.Delta = Signed(g.Delta)
	} else {
		h.CountsText = Plural(last(g.Counts), "goroutine")
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
			h.Wait = Plural(w[1], "minute")
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

// size estimates the bytes of a group on the page: its markup and its
// text, which escaping rarely makes longer.
func (h *htmlGroup) size() int {
	n := 1500 + len(h.Label) + len(h.State) + len(h.SiteShort) + len(h.Reason) + len(h.Fix) +
		len(h.Origin) + len(h.Labels) + len(h.CountsText) + 60*len(h.Counts) + 40*len(h.IDs)
	for _, e := range h.Evidence {
		n += len(e) + 20
	}
	for _, f := range h.Frames {
		n += 80 + len(f.Func) + len(f.Loc)
	}
	return n
}

func newHTMLFrame(f parse.Frame) htmlFrame {
	loc := f.File
	if loc != "" && f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
	}
	return htmlFrame{Func: f.Func, Loc: loc, Std: display.IsStdlib(f.Func)}
}

func last(counts []int) int {
	if len(counts) == 0 {
		return 0
	}
	return counts[len(counts)-1]
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
	return display.ShortFunc(f.Func)
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
