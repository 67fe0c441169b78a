package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/safetext"
)

// table prints one aligned row per group. Colour is applied after
// alignment, so escape codes never skew the columns.
func (p *printer) table(r *classify.Report, shown []*classify.Group, width int) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	multi := len(r.Inputs) > 1
	cols := []string{"VERDICT", "LABEL"}
	if multi {
		cols = append(cols, "Δ")
	}
	cols = append(cols, countHeaders(r.Inputs)...)
	cols = append(cols, "STATE", "SITE", "CREATED BY")
	for i := range cols {
		cols[i] = safetext.Cell(cols[i])
	}
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	sites := siteCells(shown)
	for n, g := range shown {
		verdict := string(g.Verdict)
		if g.Ignored != "" {
			verdict = "ignored" // --all shows what --ignore took out
		}
		row := []string{verdict, string(g.Label)}
		if multi {
			row = append(row, Signed(g.Delta))
		}
		row = append(row, countCells(g.Counts)...)
		row = append(row, stateText(g), sites[n], FrameText(g.CreatedBy))
		for i := range row {
			row[i] = safetext.Cell(row[i]) // one long name must not widen every row
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, line := range lines {
		if width > 0 && len([]rune(line)) > width {
			line = string([]rune(line)[:width-1]) + "…"
		}
		code := "1"
		if i > 0 {
			code = verdictColor(shown[i-1].Verdict)
		}
		fmt.Fprintln(p.w, p.paint(code, line))
	}
}

func countHeaders(inputs []classify.Input) []string {
	if len(inputs) > maxCountColumns {
		return columnNames([]string{inputs[0].Name, inputs[len(inputs)-1].Name}, "TREND")
	}
	var names []string
	for _, in := range inputs {
		names = append(names, in.Name)
	}
	return columnNames(names)
}

// columnNames shortens input names to their base names, or, where two
// would read the same ("after.txt" of two directories), to as many of
// their last path elements as tell them apart.
func columnNames(names []string, extra ...string) []string {
	for keep := 1; ; keep++ {
		out := make([]string, len(names))
		seen := map[string]string{} // short name → the name it came from
		clash := false
		for i, n := range names {
			out[i] = lastElems(n, keep)
			if from, ok := seen[out[i]]; ok && from != n {
				clash = true // one input given twice is no clash
			}
			seen[out[i]] = n
		}
		if !clash || keep == 4 {
			return append(out, extra...)
		}
	}
}

// lastElems is the last n elements of a path, printable.
func lastElems(name string, n int) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if n == 1 {
		return shortName(name)
	}
	parts := strings.Split(strings.TrimRight(name, "/"), "/")
	if len(parts) > n {
		parts = parts[len(parts)-n:]
	}
	return safetext.String(strings.Join(parts, "/"))
}

func countCells(counts []int) []string {
	if len(counts) > maxCountColumns {
		return []string{strconv.Itoa(counts[0]), strconv.Itoa(counts[len(counts)-1]), sparkline(counts)}
	}
	var c []string
	for _, n := range counts {
		c = append(c, strconv.Itoa(n))
	}
	return c
}

// sparkline draws counts as block characters scaled to their maximum.
func sparkline(counts []int) string {
	const bars = "▁▂▃▄▅▆▇█"
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	var b strings.Builder
	for _, n := range counts {
		i := 0
		if top > 0 {
			i = n * 7 / top
		}
		b.WriteRune([]rune(bars)[i])
	}
	return b.String()
}
