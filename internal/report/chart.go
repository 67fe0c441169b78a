package report

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/display"
)

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
		cr.Tooltip = string(g.Verdict) + " " + string(g.Label) + ": " + display.JoinCounts(g.Counts)
		if n > 1 {
			cr.Tooltip += " (" + Signed(g.Delta) + ")"
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
			cr.Delta = Signed(g.Delta)
		case "series":
			cr.Spark = spark(g.Counts, y+6, 28)
			cr.Counts = display.JoinCounts([]int{g.Counts[0], last(g.Counts)})
			cr.Delta = Signed(g.Delta)
		default:
			cr.Bars = []chartBar{bar("now", last(g.Counts), top, y+13, 14)}
		}
		c.Rows = append(c.Rows, cr)
	}
	if left := len(r.Groups) - len(picked); left > 0 {
		c.Note = "The chart shows the " + strconv.Itoa(len(picked)) + " groups that changed most; " +
			Plural(left, "smaller group") + " left out of it " + isAre(left) + " listed below with the others."
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
	slices.SortStableFunc(idx, func(a, b int) int {
		ga, gb := r.Groups[a], r.Groups[b]
		if d := ga.Verdict.Rank() - gb.Verdict.Rank(); d != 0 {
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
