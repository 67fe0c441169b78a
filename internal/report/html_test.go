package report_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleReport compares the repository's real sample dumps of a response
// body never closed, named as the README's command names them.
func sampleReport(t testing.TB) *classify.Report {
	t.Helper()
	var snaps []*parse.Snapshot
	for _, name := range []string{"before.txt", "after.txt"} {
		rel := "samples/dumps/http-body-not-closed/" + name
		snaps = append(snaps, readDump(t, filepath.Join("..", "..", filepath.FromSlash(rel)), rel)...)
	}
	return classify.Compare(snaps, nil)
}

func readDump(t testing.TB, path, name string) []*parse.Snapshot {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snaps, err := parse.ReadAll(f, name)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return snaps
}

func renderHTML(t testing.TB, r *classify.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func TestHTMLGolden(t *testing.T) {
	r := sampleReport(t)
	got := renderHTML(t, r)
	golden(t, "http-body-not-closed.html", got)

	// What a reader looks for first, whatever the golden file says.
	for _, want := range []string{
		"<h1 id=\"headline\">" + escapeText(report.Headline(r)) + "</h1>",
		`<details class="group v-leak" id="g1" data-verdict="leak" data-label="http-body-not-closed" open>`,
		`net/http.(*persistConn).readLoop`,
		`<span class="what">leak groups</span>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// ok groups start closed, leaks and suspects open.
	for _, g := range r.Groups {
		open := regexp.MustCompile(`<details class="group v-` + string(g.Verdict) + `"[^>]*data-label="` + string(g.Label) + `"( open)?>`).FindStringSubmatch(got)
		if open == nil {
			t.Errorf("no section for %s %s", g.Verdict, g.Label)
		} else if (open[1] != "") != (g.Verdict != classify.OK) {
			t.Errorf("%s %s: open = %v", g.Verdict, g.Label, open[1] != "")
		}
	}
}

// TestHeadlineShared: the HTML headline is the text report's first line.
func TestHeadlineShared(t *testing.T) {
	r := sampleReport(t)
	var text bytes.Buffer
	if err := report.Text(&text, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(text.String(), "\n")
	if first != report.Headline(r) {
		t.Errorf("text headline %q, Headline %q", first, report.Headline(r))
	}
	if !strings.Contains(renderHTML(t, r), escapeText(first)) {
		t.Errorf("HTML lacks the headline %q", first)
	}
}

func escapeText(s string) string {
	// As html/template escapes text.
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func TestHTMLDeterministic(t *testing.T) {
	for name, r := range map[string]*classify.Report{
		"sample":  sampleReport(t),
		"series":  seriesReport(t),
		"crafted": craftedReport(t),
		"many":    manyGroups(40, 250),
	} {
		a, b := renderHTML(t, r), renderHTML(t, r)
		if a != b {
			t.Errorf("%s: two renderings differ", name)
		}
	}
}

// crafted is a dump whose every field a page could trip on holds markup,
// quotes, URLs or script. The pprof labels are not in the report today;
// they are here for when they are.
const craftedBefore = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n"

const crafted = craftedBefore + `
goroutine 7 [chan send, 12 minutes labels:{"x": "</style><script>alert(3)</script>", "y\"": "javascript:alert(4)"}]:
main.<script>alert(1)</script>(0x1)
	/x/"onmouseover="alert(1).go:1 +0x1
main.'onfocus='alert(2)'//javascript:alert(5)(...)
	/x/</style><img src=x onerror=alert(6)>.go:2 +0x2
created by main.</title><script>alert(7)</script> in goroutine 1
	javascript:alert(8)//https://evil.example/x.js:3 +0x3

goroutine 9 [<img src=x onerror=alert(10)>]:
main.x]]></desc></svg><svg onload=alert(11)>(...)
	<!--:4 +0x4
created by main.main in goroutine 1
	/app/main.go:12 +0x5
`

const craftedAfterName = `after"><script>alert(9)</script>.txt`

func craftedReport(t testing.TB) *classify.Report {
	t.Helper()
	a, err := parse.Read(strings.NewReader(craftedBefore), "before'onload='alert(12).txt")
	if err != nil {
		t.Fatal(err)
	}
	b, err := parse.Read(strings.NewReader(crafted), craftedAfterName)
	if err != nil {
		t.Fatal(err)
	}
	r := classify.Compare([]*parse.Snapshot{a, b}, nil)
	if len(r.Groups) < 3 || !strings.Contains(r.Groups[0].Frames[0].Func, "<script>") {
		t.Fatalf("the crafted dump did not parse as meant: %+v", r.Groups)
	}
	return r
}

// TestHTMLEscaping: nothing from a dump becomes markup, an attribute or a
// URL.
func TestHTMLEscaping(t *testing.T) {
	got := renderHTML(t, craftedReport(t))
	for _, bad := range []string{
		"<script>alert", "</style><", "</title><", "<img", "<svg onload", "<!--",
		`"onmouseover="`, `'onfocus='`, `'onload='`,
		`href="javascript`, `src="javascript`,
	} {
		if i := strings.Index(got, bad); i >= 0 {
			t.Errorf("unescaped %q in the report: …%s…", bad, got[max(0, i-80):min(len(got), i+80)])
		}
	}
	// The crafted text is there, escaped.
	for _, want := range []string{
		"main.&lt;script&gt;alert(1)&lt;/script&gt;",
		"/x/&#34;onmouseover=&#34;alert(1).go:1",
		"after&#34;&gt;&lt;script&gt;alert(9)&lt;/script&gt;.txt",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks the escaped %q", want)
		}
	}
	checkMarkup(t, got)
}

var (
	tagRe  = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*/?>`)
	attrRe = regexp.MustCompile(`\s+([^\s=>/]+)(?:="([^"]*)")?`)
)

// allowedTags are the elements the template writes; a dump adds none.
var allowedTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
	"header": true, "p": true, "h1": true, "h2": true, "h3": true, "ul": true, "li": true,
	"span": true, "main": true, "section": true, "table": true, "thead": true, "tbody": true,
	"tr": true, "th": true, "td": true, "svg": true, "desc": true, "g": true, "rect": true,
	"text": true, "line": true, "a": true, "polygon": true, "polyline": true, "circle": true,
	"div": true, "form": true, "input": true, "label": true, "select": true, "option": true,
	"button": true, "output": true, "details": true, "summary": true, "strong": true,
	"dl": true, "dt": true, "dd": true, "code": true, "ol": true, "footer": true, "script": true,
}

// checkMarkup asserts the page's structure is the template's: known tags,
// no event handlers or style attributes, links only within the page, one
// script, and nothing to load.
func checkMarkup(t *testing.T, page string) {
	t.Helper()
	scripts := 0
	for _, m := range tagRe.FindAllStringSubmatch(page, -1) {
		tag := strings.ToLower(m[1])
		if !allowedTags[tag] {
			t.Errorf("unexpected element %q", m[0])
		}
		if tag == "script" {
			scripts++
			if m[2] != "" {
				t.Errorf("script with attributes: %q", m[0])
			}
		}
		for _, a := range attrRe.FindAllStringSubmatch(m[2], -1) {
			name, val := strings.ToLower(a[1]), a[2]
			switch {
			case strings.HasPrefix(name, "on"), name == "style", name == "src", name == "srcset",
				name == "action", name == "formaction", name == "xlink:href", name == "background":
				t.Errorf("attribute %s in %q", name, m[0])
			case name == "href" && !strings.HasPrefix(val, "#"):
				t.Errorf("link out of the page: %q", m[0])
			case strings.Contains(val, "//") && name != "content":
				t.Errorf("URL-like attribute value: %q", m[0])
			}
		}
	}
	if scripts != 1 {
		t.Errorf("%d script elements, want 1", scripts)
	}
	for _, url := range []string{"http://", "https://", "url(", "@import"} {
		for _, part := range []string{between(page, "<style>", "</style>"), between(page, "<script>", "</script>")} {
			if strings.Contains(part, url) {
				t.Errorf("stylesheet or script refers to %q", url)
			}
		}
	}
}

func between(s, open, close string) string {
	_, s, _ = strings.Cut(s, open)
	s, _, _ = strings.Cut(s, close)
	return s
}

// TestHTMLSelfContained: the sample report loads nothing, and its Content-
// Security-Policy allows exactly its own stylesheet and script.
func TestHTMLSelfContained(t *testing.T) {
	page := renderHTML(t, sampleReport(t))
	checkMarkup(t, page)
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindStringSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy")
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	for _, want := range []string{
		"default-src 'none'",
		"style-src " + hash(between(page, "<style>", "</style>")),
		"script-src " + hash(between(page, "<script>", "</script>")),
	} {
		if !strings.Contains(csp[1], want) {
			t.Errorf("CSP %q lacks %q", csp[1], want)
		}
	}
}

// seriesReport follows one process over three dumps: a leak growing at
// every step, an ok group that stays.
func seriesReport(t testing.TB) *classify.Report {
	t.Helper()
	var snaps []*parse.Snapshot
	for i, leaked := range []int{1, 3, 6} {
		s, err := parse.Read(strings.NewReader(seriesDump(leaked)), fmt.Sprintf("t%d.txt", i))
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	return classify.Compare(snaps, nil)
}

func seriesDump(leaked int) string {
	var b strings.Builder
	b.WriteString("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n")
	for _, id := range []int64{2, 3} {
		fmt.Fprintf(&b, "\ngoroutine %d [IO wait]:\ninternal/poll.runtime_pollWait(0x1, 0x72)\n\truntime/netpoll.go:351 +0x85\nnet.(*TCPListener).Accept(0x1)\n\tnet/tcpsock.go:387 +0x30\nmain.serve()\n\t/app/main.go:30 +0x30\ncreated by main.main in goroutine 1\n\t/app/main.go:12 +0x2\n", id)
	}
	for i := range leaked {
		fmt.Fprintf(&b, "\ngoroutine %d [chan send]:\nmain.produce(0x1)\n\t/app/main.go:20 +0x2a\ncreated by main.main in goroutine 1\n\t/app/main.go:15 +0x3b\n", 10+i)
	}
	return b.String()
}

func TestHTMLSeries(t *testing.T) {
	r := seriesReport(t)
	got := renderHTML(t, r)
	if !strings.Contains(got, `<svg class="chart chart-series"`) {
		t.Fatal("a series of three snapshots is not drawn as sparklines")
	}
	if n, want := strings.Count(got, `<polyline class="line"`), len(r.Groups); n != want {
		t.Errorf("%d sparklines, want one per group (%d)", n, want)
	}
	if strings.Contains(got, `class="bar `) {
		t.Error("bars in a series chart")
	}
	// The leak grows 1 → 3 → 6: its line rises to the top of its row.
	leak := regexp.MustCompile(`(?s)<a href="#g1" class="row v-leak[^"]*".*?<polyline class="line" points="([^"]*)"`).FindStringSubmatch(got)
	if leak == nil {
		t.Fatalf("no sparkline for the leak group g1")
	}
	if pts := strings.Fields(leak[1]); len(pts) != 3 {
		t.Errorf("sparkline %q, want 3 points", leak[1])
	}
	if !strings.Contains(got, "1 → 6") {
		t.Error("series chart lacks the first → last counts")
	}
	golden(t, "series.html", got)
}

// manyGroups is a hand-made report of n groups; the first has ids IDs.
func manyGroups(n, ids int) *classify.Report {
	chanSend := classify.DefaultLabels()[classify.ChanSend]
	r := &classify.Report{
		Inputs:      []classify.Input{{Name: "a.txt", Format: parse.FormatStack}, {Name: "b.txt", Format: parse.FormatStack}},
		SameProcess: true,
	}
	for i := range n {
		v := classify.OK
		if i < 3 {
			v = classify.Leak
		}
		f := parse.Frame{Func: fmt.Sprintf("example.com/app.worker%d", i), File: "/app/w.go", Line: i + 1}
		g := &classify.Group{
			Key: f.Func, Label: classify.ChanSend, Verdict: v, State: "chan send",
			Counts: []int{1, n - i + 1}, Delta: n - i, New: n - i,
			Frames: []parse.Frame{f}, Site: &f,
			Reason: chanSend.Reason, Fix: chanSend.Fix,
		}
		if i == 0 {
			for id := range ids {
				g.IDs = append(g.IDs, int64(100+id))
			}
			g.NewIDs = g.IDs[1:]
			g.Counts = []int{1, ids}
			g.Delta, g.New = ids-1, ids-1
		}
		r.Groups = append(r.Groups, g)
	}
	r.Summary = classify.Summary{Goroutines: []int{n, n * 2}, LeakGroups: 3}
	return r
}

func TestHTMLLimits(t *testing.T) {
	got := renderHTML(t, manyGroups(40, 250))
	if n := strings.Count(got, `<a href="#g`); n != 30 {
		t.Errorf("%d chart rows, want 30", n)
	}
	if !strings.Contains(got, "The chart shows the 30 groups that changed most; 10 smaller groups left out of it are listed below") {
		t.Error("no note on the groups left out of the chart")
	}
	if n := strings.Count(got, "<details class=\"group"); n != 40 {
		t.Errorf("%d group sections, want 40", n)
	}
	ids := between(got, `<p class="ids">`, "</p>")
	if n := strings.Count(ids, "<span"); n != 201 { // 200 IDs and the rest
		t.Errorf("%d spans in the ID list, want 200 IDs and a note", n)
	}
	if !strings.Contains(ids, "… and 50 more") {
		t.Errorf("ID list does not say how many were left out: …%s", ids[max(0, len(ids)-200):])
	}
	if !strings.Contains(ids, `<span>100</span> <span class="new">101</span>`) {
		t.Error("new IDs are not marked")
	}
}

// TestHTMLSingle: one dump, a postmortem: one bar per group.
func TestHTMLSingle(t *testing.T) {
	snaps := readDump(t, filepath.Join("..", "..", "samples", "dumps", "http-body-not-closed", "after.txt"), "after.txt")
	r := classify.Compare(snaps, nil)
	got := renderHTML(t, r)
	if !strings.Contains(got, `<svg class="chart chart-single"`) {
		t.Error("no single-snapshot chart")
	}
	if n := strings.Count(got, `class="bar now"`); n != len(r.Groups) {
		t.Errorf("%d bars, want %d", n, len(r.Groups))
	}
	checkMarkup(t, got)
}

func TestHTMLEmpty(t *testing.T) {
	r := &classify.Report{Inputs: []classify.Input{{Name: "x", Format: parse.FormatStack}}}
	got := renderHTML(t, r)
	if !strings.Contains(got, "No goroutines.") {
		t.Error("empty report says nothing")
	}
	if err := report.HTML(&bytes.Buffer{}, nil); err == nil {
		t.Error("nil report: no error")
	}
}

// TestHTMLEvent: a crash dump's report opens with the event, escaped, in
// the runtime's words.
func TestHTMLEvent(t *testing.T) {
	f, err := os.Open("../../parse/testdata/generated/panic_nested_in_defer.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snaps, err := parse.ReadAll(f, "panic.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := renderHTML(t, classify.Compare(snaps, nil))
	want := "<pre class=\"event\" id=\"event\">panic: runtime error: index out of range [5] with length 0\npanic: (main.ValidationError) 0x4e7878</pre>"
	if !strings.Contains(got, want) {
		t.Errorf("report lacks the event %q", want)
	}
	if !strings.Contains(got, `<span class="culprit">the event's goroutine</span>`) {
		t.Error("the panicking goroutine's group is not marked")
	}
	if plain := renderHTML(t, sampleReport(t)); strings.Contains(plain, `class="event"`) || strings.Contains(plain, `class="culprit"`) {
		t.Error("a plain dump's report shows an event")
	}
}

// TestHTMLShowsOrigin: a group of a dump with ancestry says, in the HTML
// report as in the text and JSON, which function it descends from.
func TestHTMLShowsOrigin(t *testing.T) {
	f, err := os.Open("../../parse/testdata/generated/stack_tracebackancestors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := parse.Read(f, "ancestry")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.HTML(&b, classify.Compare([]*parse.Snapshot{s}, nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<dd class="origin">main.ancestors (1)</dd>`) {
		t.Error("the HTML report does not say where the groups descend from")
	}
}
