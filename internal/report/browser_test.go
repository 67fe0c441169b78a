//go:build linux

package report_test

// The HTML report, looked at in a real browser: headless Chromium driven
// over the Chrome DevTools Protocol. Chromium is started with
// --remote-debugging-pipe, so the protocol runs over two pipes (its fds 3
// and 4, NUL-separated JSON messages): no port, no websocket, no Go
// dependency. Each run is bounded by a 30 s context, and the whole process
// group is killed at the end.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
)

const browserTimeout = 30 * time.Second

// findChromium returns the browser to test with. Without one the test is
// skipped, except in CI (CI=true), where it must be there.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STACKDIFF_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not installed, and CI=true requires the browser test: apt-get install chromium")
	}
	t.Skip("chromium not installed: apt-get install chromium")
	return ""
}

// browser is one headless Chromium and the DevTools connection to it.
type browser struct {
	t      *testing.T
	ctx    context.Context
	cancel context.CancelFunc
	cmd    *exec.Cmd
	dir    string // the throw-away profile
	stderr *tailBuffer
	exited chan struct{}

	wmu    sync.Mutex
	out    *os.File // Chromium's fd 3: our commands
	nextID int

	mu      sync.Mutex
	pending map[int]chan cdpMessage
	events  []cdpMessage
	changed chan struct{} // closed and replaced on every event
	readErr error
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	bin := findChromium(t)
	dir, err := os.MkdirTemp("", "stackdiff-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	b := &browser{t: t, ctx: ctx, cancel: cancel, dir: dir, stderr: &tailBuffer{max: 16 << 10},
		exited: make(chan struct{}), pending: map[int]chan cdpMessage{}, changed: make(chan struct{})}
	// Chromium reads commands from fd 3 and writes replies to fd 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b.cmd = exec.Command(bin,
		"--headless",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-extensions",
		"--disable-dev-shm-usage",
		"--mute-audio",
		"--hide-scrollbars",
		"--force-device-scale-factor=1",
		"--force-color-profile=srgb",
		"--lang=en-US",
		// Nothing resolves: a page that tried to fetch would fail, and the
		// Network events below would show the attempt.
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--window-size=1280,2000",
		"--user-data-dir="+dir,
		"--remote-debugging-pipe",
		"about:blank",
	)
	b.cmd.ExtraFiles = []*os.File{cmdR, repW}
	b.cmd.Stdout = b.stderr
	b.cmd.Stderr = b.stderr
	b.cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8", "TZ=UTC")
	// Its own process group, so that every helper process can be killed;
	// and killed with the test binary, should that die first.
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := b.cmd.Start(); err != nil {
		cancel()
		os.RemoveAll(dir)
		t.Fatalf("starting %s: %v", bin, err)
	}
	cmdR.Close()
	repW.Close()
	b.out = cmdW
	t.Cleanup(b.close)
	go func() {
		b.cmd.Wait()
		close(b.exited)
	}()
	go b.read(repR)
	go func() { // the 30 s bound: kill everything when it passes
		<-ctx.Done()
		b.kill()
	}()
	if _, err := b.call("", "Browser.getVersion", nil); err != nil {
		t.Fatalf("chromium does not answer: %v\n%s", err, b.stderr)
	}
	return b
}

// read delivers replies to their callers and keeps events.
func (b *browser) read(r *os.File) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	var err error
	for {
		var msg []byte
		msg, err = br.ReadBytes(0)
		if err != nil {
			break
		}
		var m cdpMessage
		if err = json.Unmarshal(msg[:len(msg)-1], &m); err != nil {
			break
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch := b.pending[m.ID]; ch != nil {
				ch <- m
				delete(b.pending, m.ID)
			}
		} else {
			b.events = append(b.events, m)
			close(b.changed)
			b.changed = make(chan struct{})
		}
		b.mu.Unlock()
		if m.Method == "Page.javascriptDialogOpening" {
			// A dialog blocks the page; dismiss it (the test fails on it).
			go b.send(m.SessionID, "Page.handleJavaScriptDialog", map[string]any{"accept": false})
		}
	}
	b.mu.Lock()
	b.readErr = err
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

func (b *browser) send(session, method string, params any) (int, chan cdpMessage, error) {
	if params == nil {
		params = struct{}{}
	}
	p, err := json.Marshal(params)
	if err != nil {
		return 0, nil, err
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return 0, nil, fmt.Errorf("browser gone: %v", b.readErr)
	}
	b.pending[id] = ch
	b.mu.Unlock()
	msg, _ := json.Marshal(cdpMessage{ID: id, SessionID: session, Method: method, Params: p})
	_, err = b.out.Write(append(msg, 0))
	return id, ch, err
}

// call sends a command and waits for its result.
func (b *browser) call(session, method string, params any) (json.RawMessage, error) {
	_, ch, err := b.send(session, method, params)
	if err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		return m.Result, nil
	case <-b.ctx.Done():
		return nil, fmt.Errorf("%s: %v", method, b.ctx.Err())
	case <-b.exited:
		return nil, fmt.Errorf("%s: browser exited", method)
	}
}

// kill ends the whole process group; it is safe to call more than once.
func (b *browser) kill() {
	if b.cmd.Process != nil {
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// close asks Chromium to quit, then kills what is left of its process
// group, waits until none of it runs, and removes the profile.
func (b *browser) close() {
	done := make(chan struct{})
	go func() {
		b.call("", "Browser.close", nil)
		close(done)
	}()
	select {
	case <-b.exited:
	case <-time.After(5 * time.Second):
	}
	b.kill()
	b.cancel()
	<-b.exited
	<-done
	b.out.Close()
	pgid := b.cmd.Process.Pid
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			b.t.Errorf("chromium processes of group %d still running", pgid)
			break
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
		time.Sleep(20 * time.Millisecond)
	}
	if err := os.RemoveAll(b.dir); err != nil {
		b.t.Logf("removing the profile: %v", err)
	}
}

// page is one tab, attached with its own DevTools session.
type page struct {
	b       *browser
	session string
	from    int // index of the first event of this page
}

// open loads url in a new tab and waits for its load event. The domains
// that report scripts, console messages, dialogs and requests are enabled
// before the navigation, so nothing the page does goes unseen.
func (b *browser) open(url string) *page {
	b.t.Helper()
	res, err := b.call("", "Target.createTarget", map[string]any{"url": "about:blank"})
	if err != nil {
		b.t.Fatal(err)
	}
	var target struct{ TargetID string }
	json.Unmarshal(res, &target)
	res, err = b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true})
	if err != nil {
		b.t.Fatal(err)
	}
	var att struct{ SessionID string }
	json.Unmarshal(res, &att)
	p := &page{b: b, session: att.SessionID}
	b.mu.Lock()
	p.from = len(b.events)
	b.mu.Unlock()
	for _, m := range []string{"Page.enable", "Runtime.enable", "Network.enable", "Log.enable"} {
		p.call(m, nil)
	}
	p.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": false})
	p.call("Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-color-scheme", "value": "light"}}})
	var nav struct{ ErrorText string }
	json.Unmarshal(p.call("Page.navigate", map[string]any{"url": url}), &nav)
	if nav.ErrorText != "" {
		b.t.Fatalf("navigating to %s: %s", url, nav.ErrorText)
	}
	p.waitEvent("Page.loadEventFired")
	return p
}

func (p *page) call(method string, params any) json.RawMessage {
	p.b.t.Helper()
	res, err := p.b.call(p.session, method, params)
	if err != nil {
		p.b.t.Fatalf("%v\nchromium's output:\n%s", err, p.b.stderr)
	}
	return res
}

// pageEvents returns the events of this page so far.
func (p *page) pageEvents() []cdpMessage {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	var out []cdpMessage
	for _, e := range p.b.events[p.from:] {
		if e.SessionID == p.session {
			out = append(out, e)
		}
	}
	return out
}

func (p *page) waitEvent(method string) {
	p.b.t.Helper()
	for {
		p.b.mu.Lock()
		for _, e := range p.b.events[p.from:] {
			if e.SessionID == p.session && e.Method == method {
				p.b.mu.Unlock()
				return
			}
		}
		changed, readErr := p.b.changed, p.b.readErr
		p.b.mu.Unlock()
		if readErr != nil {
			p.b.t.Fatalf("waiting for %s: browser gone: %v\n%s", method, readErr, p.b.stderr)
		}
		select {
		case <-changed:
		case <-p.b.ctx.Done():
			p.b.t.Fatalf("waiting for %s: %v\n%s", method, p.b.ctx.Err(), p.b.stderr)
		}
	}
}

// eval runs a JavaScript expression in the page and decodes its value
// into out.
func (p *page) eval(expr string, out any) {
	p.b.t.Helper()
	res := p.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		p.b.t.Fatal(err)
	}
	if r.ExceptionDetails != nil {
		p.b.t.Fatalf("evaluating %s: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			p.b.t.Fatalf("evaluating %s: %v (value %s)", expr, err, r.Result.Value)
		}
	}
}

// click clicks, as a mouse does, in the middle of the first element
// matching selector, after scrolling it into view.
func (p *page) click(selector string) {
	p.b.t.Helper()
	var xy []float64
	p.eval(`(() => { const e = document.querySelector(`+jsString(selector)+`);
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		return [r.x + r.width / 2, r.y + r.height / 2]; })()`, &xy)
	p.mouse(xy[0], xy[1])
}

func (p *page) mouse(x, y float64) {
	p.b.t.Helper()
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		p.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1})
	}
}

// typeText types into the focused element.
func (p *page) typeText(s string) {
	p.call("Input.insertText", map[string]any{"text": s})
}

func (p *page) key(key string, code int) {
	for _, typ := range []string{"keyDown", "keyUp"} {
		p.call("Input.dispatchKeyEvent", map[string]any{"type": typ, "key": key, "code": key, "windowsVirtualKeyCode": code})
	}
}

// visibleGroups returns the labels of the group sections a person sees.
func (p *page) visibleGroups() []string {
	p.b.t.Helper()
	var labels []string
	p.eval(`[...document.querySelectorAll("details.group")]
		.filter(d => d.getBoundingClientRect().height > 0)
		.map(d => d.dataset.label)`, &labels)
	return labels
}

// checkQuiet fails on anything the page should not have done: a dialog
// (alert), an uncaught exception, an error on the console (a refused
// script or style: the CSP reports there), or a request for anything but
// the report file itself.
func (p *page) checkQuiet(file string) {
	p.b.t.Helper()
	t := p.b.t
	for _, e := range p.pageEvents() {
		switch e.Method {
		case "Page.javascriptDialogOpening":
			t.Errorf("the page opened a dialog: %s", e.Params)
		case "Runtime.exceptionThrown":
			t.Errorf("uncaught exception: %s", e.Params)
		case "Runtime.consoleAPICalled":
			var c struct{ Type string }
			json.Unmarshal(e.Params, &c)
			if c.Type == "error" || c.Type == "warning" || c.Type == "assert" {
				t.Errorf("console %s: %s", c.Type, e.Params)
			}
		case "Log.entryAdded":
			var l struct {
				Entry struct{ Level, Source, Text, URL string }
			}
			json.Unmarshal(e.Params, &l)
			if l.Entry.Level == "error" || l.Entry.Level == "warning" {
				t.Errorf("browser log %s (%s): %s %s", l.Entry.Level, l.Entry.Source, l.Entry.Text, l.Entry.URL)
			}
		case "Network.requestWillBeSent":
			var r struct{ Request struct{ URL string } }
			json.Unmarshal(e.Params, &r)
			if r.Request.URL != "file://"+file {
				t.Errorf("the page requested %s", r.Request.URL)
			}
		}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// writeReport renders r into a file of a fresh directory.
func writeReport(t *testing.T, r *classify.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	r := sampleReport(t)
	file := writeReport(t, r)
	b := startBrowser(t)
	p := b.open("file://" + file)

	// What a person sees first: the sentence, and the leaks in red.
	var seen struct {
		Title, Headline string
		FilterShown     bool
		Groups          []struct {
			Label, Verdict, Counts string
			Open                   bool
		}
		LeakColor string
		OKColor   string
		Tallies   []string
	}
	p.eval(`(() => ({
		title: document.title,
		headline: document.getElementById("headline").innerText,
		filterShown: document.getElementById("filter").getBoundingClientRect().height > 0,
		groups: [...document.querySelectorAll("details.group")].map(d => ({
			label: d.querySelector("summary .label").innerText,
			verdict: d.querySelector("summary .badge").innerText.toLowerCase(),
			counts: d.querySelector("summary .counts").innerText,
			open: d.open})),
		leakColor: getComputedStyle(document.querySelector("details.group.v-leak")).borderLeftColor,
		okColor: getComputedStyle(document.querySelector("details.group.v-ok")).borderLeftColor,
		tallies: [...document.querySelectorAll(".tally")].map(e => e.innerText.replace(/\s+/g, " ").trim()),
	}))()`, &seen)
	if want := report.Headline(r); seen.Headline != want {
		t.Errorf("headline %q, want %q", seen.Headline, want)
	}
	if !strings.HasPrefix(seen.Title, "stackdiff: ") {
		t.Errorf("title %q", seen.Title)
	}
	if !seen.FilterShown {
		t.Error("the filter is hidden: the script did not run (CSP hash?)")
	}
	if len(seen.Groups) != len(r.Groups) {
		t.Fatalf("%d group sections, want %d", len(seen.Groups), len(r.Groups))
	}
	for i, g := range r.Groups {
		s := seen.Groups[i]
		if s.Label != string(g.Label) || s.Verdict != string(g.Verdict) || s.Open != (g.Verdict != classify.OK) {
			t.Errorf("section %d: %+v; want %s %s, open only if not ok", i+1, s, g.Verdict, g.Label)
		}
	}
	if s := seen.Groups[0]; s.Label != "http-body-not-closed" || s.Counts != "0 → 5" {
		t.Errorf("first section %+v, want the leak http-body-not-closed 0 → 5", s)
	}
	if seen.LeakColor != "rgb(209, 48, 47)" || seen.OKColor != "rgb(138, 145, 156)" {
		t.Errorf("leak colour %s, ok colour %s: the stylesheet did not apply (CSP hash?)", seen.LeakColor, seen.OKColor)
	}
	// The server's side of the leaked connections grew with them: ok.
	if want := []string{"2 leak groups 10 goroutines now", "0 suspect groups 0 goroutines now", "4 ok groups 7 goroutines now"}; !slices.Equal(seen.Tallies, want) {
		t.Errorf("verdict counts %q, want %q", seen.Tallies, want)
	}

	// The chart: one row per group, top to bottom in the report's order,
	// the leak's "after" bar first and longest, drawn in the leak colour.
	var rows []struct {
		Label, Verdict   string
		Top, Width, Max  float64
		Fill, BeforeFill string
	}
	p.eval(`(() => { const plot = document.querySelector("svg.chart").getBoundingClientRect();
		return [...document.querySelectorAll("svg.chart a.row")].map(a => {
			const now = a.querySelector(".bar.now").getBoundingClientRect();
			return {label: a.querySelector(".label").textContent,
				verdict: a.classList[1].slice(2),
				top: now.top, width: now.width, max: plot.width,
				fill: getComputedStyle(a.querySelector(".bar.now")).fill,
				beforeFill: getComputedStyle(a.querySelector(".bar.before")).fill};
		}); })()`, &rows)
	if len(rows) != len(r.Groups) {
		t.Fatalf("%d chart rows, want %d", len(rows), len(r.Groups))
	}
	for i, g := range r.Groups {
		if rows[i].Label != string(g.Label) || rows[i].Verdict != string(g.Verdict) {
			t.Errorf("chart row %d is %s %s, want %s %s", i+1, rows[i].Verdict, rows[i].Label, g.Verdict, g.Label)
		}
		if i > 0 && rows[i].Top <= rows[i-1].Top {
			t.Errorf("chart row %d (%s) is not below row %d", i+1, rows[i].Label, i)
		}
		// Bars are scaled to the largest count, 5 here.
		if want := rows[0].Width * float64(g.Counts[1]) / 5; abs(rows[i].Width-want) > 1 {
			t.Errorf("chart row %d: bar %.1f px wide, want %.1f", i+1, rows[i].Width, want)
		}
	}
	if rows[0].Fill != "rgb(209, 48, 47)" || rows[0].Width < rows[0].Max/2 {
		t.Errorf("the leak's bar is %s and %.0f of %.0f px: want red and long", rows[0].Fill, rows[0].Width, rows[0].Max)
	}
	if last := rows[len(rows)-1]; last.Verdict != "ok" || last.Fill != "rgb(138, 145, 156)" || last.BeforeFill == last.Fill {
		t.Errorf("last chart row %+v: want an ok group in grey, its before bar lighter", last)
	}

	if *update {
		screenshot(t, p, filepath.Join("..", "..", "docs", "report.png"))
	}

	// A chart row is a link: clicking a closed ok group's row opens it.
	okID := fmt.Sprintf("g%d", len(r.Groups))
	p.click(`svg.chart a.row[data-group="` + okID + `"]`)
	// The section opens on "hashchange", which the browser fires after the
	// click returns: wait for it (in the page, bounded).
	var opened bool
	p.eval(`new Promise(done => {
		const ok = () => document.getElementById("`+okID+`").open && location.hash === "#`+okID+`";
		let tries = 0;
		const poll = () => { if (ok() || ++tries > 100) { done(ok()); } else { setTimeout(poll, 20); } };
		poll();
	})`, &opened)
	if !opened {
		t.Errorf("clicking chart row %s did not open its section", okID)
	}

	// The filter: typing narrows the sections to those that mention it.
	p.click("#filter-text")
	p.typeText("writeLoop")
	if got := p.visibleGroups(); !slices.Equal(got, []string{"http-client-conn"}) {
		t.Errorf("filter \"writeLoop\" shows %q, want only http-client-conn", got)
	}
	var status string
	p.eval(`document.getElementById("filter-status").innerText`, &status)
	if want := fmt.Sprintf("1 of %d groups shown", len(r.Groups)); status != want {
		t.Errorf("filter status %q, want %q", status, want)
	}
	p.key("Escape", 27) // clears the text
	if got := p.visibleGroups(); len(got) != len(r.Groups) {
		t.Errorf("after Escape %d sections shown, want all %d", len(got), len(r.Groups))
	}
	// Unticking "ok" hides the ok groups.
	p.click(`#filter input[value="ok"]`)
	if got := p.visibleGroups(); !slices.Equal(got, []string{"http-body-not-closed", "http-client-conn"}) {
		t.Errorf("without ok groups the page shows %q", got)
	}
	// The label list narrows to one label.
	p.eval(`(() => { const s = document.getElementById("filter-label"); s.value = "http-client-conn";
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`, nil)
	if got := p.visibleGroups(); !slices.Equal(got, []string{"http-client-conn"}) {
		t.Errorf("label http-client-conn shows %q", got)
	}
	p.typeText("no such text")
	var emptyShown bool
	p.eval(`document.getElementById("filter-empty").getBoundingClientRect().height > 0`, &emptyShown)
	if got := p.visibleGroups(); len(got) != 0 || !emptyShown {
		t.Errorf("a filter matching nothing shows %q, the no-match note %v", got, emptyShown)
	}

	p.checkQuiet(file)
}

// TestBrowserCrafted: a dump full of markup runs nothing in the browser.
func TestBrowserCrafted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	r := craftedReport(t)
	file := writeReport(t, r)
	b := startBrowser(t)
	p := b.open("file://" + file)
	// Hover and click over every crafted text, as a curious reader would.
	p.eval(`document.querySelectorAll("details.group").forEach(d => d.open = true)`, nil)
	for _, sel := range []string{"ol.stack code.loc", "ol.stack code.fn", "summary .site-short", "td.mono"} {
		p.click(sel)
	}
	var got struct {
		Scripts, Handlers, Foreign int
		Func, Input                string
	}
	p.eval(`(() => ({
		scripts: document.scripts.length,
		handlers: [...document.querySelectorAll("*")].filter(e => [...e.attributes].some(a => a.name.startsWith("on"))).length,
		foreign: document.querySelectorAll("img, iframe, object, embed, link, base, svg svg").length,
		func: document.querySelector("ol.stack code.fn").textContent,
		input: document.querySelectorAll("td.mono")[1].textContent,
	}))()`, &got)
	if got.Scripts != 1 || got.Handlers != 0 || got.Foreign != 0 {
		t.Errorf("the dump added markup: %d scripts, %d elements with handlers, %d foreign elements", got.Scripts, got.Handlers, got.Foreign)
	}
	if want := r.Groups[0].Frames[0].Func; got.Func != want {
		t.Errorf("first frame reads %q, want the dump's text %q", got.Func, want)
	}
	if got.Input != craftedAfterName {
		t.Errorf("input name reads %q, want %q", got.Input, craftedAfterName)
	}
	p.checkQuiet(file)
}

func screenshot(t *testing.T, p *page, path string) {
	t.Helper()
	p.eval(`window.scrollTo(0, 0)`, nil)
	var h float64
	p.eval(`document.documentElement.scrollHeight`, &h)
	res := p.call("Page.captureScreenshot", map[string]any{
		"format": "png",
		"clip":   map[string]any{"x": 0, "y": 0, "width": 1280, "height": min(h, 2000), "scale": 1},
	})
	var shot struct{ Data string }
	if err := json.Unmarshal(res, &shot); err != nil {
		t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(png))
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// tailBuffer keeps the last max bytes written: Chromium's chatter, for
// failure messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > w.max {
		w.b = w.b[len(w.b)-w.max:]
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
