package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/watch"
	"github.com/stackdiff/stackdiff/parse"
)

// serviceEnv makes the test binary a watched service (see
// TestWatchHelperService): "leak" leaks one goroutine every 100 ms,
// "control" does not.
const serviceEnv = "STACKDIFF_WATCH_SERVICE"

// TestWatchHelperService is not a test: started by startService with
// serviceEnv set, it serves net/http/pprof on loopback, prints its URL,
// and runs until its standard input is closed. A service of its own
// process, because a dump of the test process would show the watch itself.
func TestWatchHelperService(t *testing.T) {
	mode := os.Getenv(serviceEnv)
	if mode == "" {
		t.Skip("helper process for the --watch tests")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(3)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	// No GC proof, as before Go 1.27: these services test the watch's own
	// rules (growth, stuck), and the watch falls back to the goroutine
	// profile.
	mux.Handle("/debug/pprof/goroutineleak", http.NotFoundHandler())
	go http.Serve(l, mux)
	fmt.Printf("http://%s\n", l.Addr())
	if mode == "leak" {
		go func() {
			for range time.Tick(100 * time.Millisecond) {
				leakOne()
			}
		}()
	}
	// Until the parent closes our stdin (or dies).
	bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

// leakOne leaks a goroutine blocked sending on a channel nobody reads.
func leakOne() {
	ch := make(chan int)
	go func() { ch <- 1 }()
}

// startService starts a helper service in a child process and returns
// its base URL; the child is killed when the test ends.
func startService(t *testing.T, mode string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchHelperService$")
	cmd.Env = append(os.Environ(), serviceEnv+"="+mode)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		t.Fatalf("helper service %s: %q, %v", mode, line, err)
	}
	return strings.TrimSpace(line)
}

// The kinds of event the tests look for, by their short names.
type eventKind = watch.Kind

const (
	evLeak    = watch.Leak
	evDown    = watch.Down
	evSummary = watch.Summary
)

// seenEvent is a --watch --json line as a script reads it: the group in
// its schema-v1 wire form.
type seenEvent struct {
	watchEvent
	Group *seenGroup `json:"group,omitempty"`
}

type seenFrame struct {
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type seenGroup struct {
	Label    string      `json:"label"`
	Verdict  string      `json:"verdict"`
	Evidence []string    `json:"evidence"`
	Frames   []seenFrame `json:"frames"`
	Site     *seenFrame  `json:"site"`
}

// ndjson decodes --watch --json output, one event per line.
func ndjson(t *testing.T, out []byte) []seenEvent {
	t.Helper()
	var events []seenEvent
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var ev seenEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("not one JSON object per line: %v: %q", err, line)
		}
		if _, err := time.Parse(time.RFC3339, ev.Time); err != nil {
			t.Errorf("time %q is not RFC 3339", ev.Time)
		}
		events = append(events, ev)
	}
	return events
}

// isOwnRequest reports whether a group is one of the goroutines a target
// runs to serve stackdiff's fetch.
func isOwnRequest(g *seenGroup) bool {
	for _, f := range g.Frames {
		if strings.HasPrefix(f.Func, "net/http.(*conn).serve") || strings.Contains(f.Func, "backgroundRead") || strings.HasPrefix(f.Func, "runtime/pprof.") || strings.HasPrefix(f.Func, "net/http/pprof.") {
			return true
		}
	}
	return false
}

func TestWatchLeakingService(t *testing.T) {
	leaky, control := startService(t, "leak"), startService(t, "control")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run([]string{"--watch", "--json", "--interval", "200ms", "--count", "15", leaky, control}, nil, &stdout, &stderr)
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("took %v", took)
	}
	if code != exitLeak {
		t.Errorf("exit %d, want %d (stderr %q)", code, exitLeak, stderr.String())
	}
	// The helper services have no goroutineleak profile: the watch says
	// so once per target, and nothing else.
	if got := strings.Count(stderr.String(), "no goroutineleak profile here (HTTP 404)"); got != 2 {
		t.Errorf("%d fallback notes, want 2: %q", got, stderr.String())
	}
	if rest := withoutNotes(stderr.String()); rest != "" {
		t.Errorf("stderr: %q", rest)
	}
	type leakSeen struct {
		Target, Label, Site, File string
		GrowsOn, Targets          int
	}
	var leaks []leakSeen
	kinds := map[string][]eventKind{}
	for _, ev := range ndjson(t, stdout.Bytes()) {
		kinds[ev.Target] = append(kinds[ev.Target], ev.Event)
		if ev.Group != nil && isOwnRequest(ev.Group) {
			t.Errorf("event about stackdiff's own request: %+v", ev)
		}
		if ev.Event == evLeak {
			g := ev.Group
			leaks = append(leaks, leakSeen{ev.Target, g.Label, path.Base(g.Site.Func), path.Base(g.Site.File), ev.GrowsOn, ev.Targets})
		}
	}
	want := []leakSeen{{leaky, "chan-send", "stackdiff.leakOne.func1", "watch_test.go", 1, 2}}
	if diff := cmp.Diff(want, leaks); diff != "" {
		t.Errorf("leak events (-want +got):\n%s\nall output:\n%s", diff, stdout.String())
	}
	if diff := cmp.Diff([]eventKind{evSummary}, kinds[control]); diff != "" {
		t.Errorf("events of the control service (-want +got):\n%s", diff)
	}
}

// TestDropOwn fetches a quiet service as a watch does: each dump holds the
// goroutines serving that fetch (new IDs every time), and DropWriters
// takes them out, so that a series of dumps of a quiet service shows
// nothing, and says how many it took out.
func TestDropOwn(t *testing.T) {
	base := startService(t, "control")
	client := capture.NewClient()
	defer client.CloseIdleConnections()
	for _, u := range []string{base, base + "/debug/pprof/goroutine?debug=1", base + "/debug/pprof/goroutine"} {
		t.Run(u[len(base):], func(t *testing.T) {
			var snaps []*parse.Snapshot
			for range 6 {
				got, err := capture.Fetch(t.Context(), u, capture.FetchOptions{Client: client, Timeout: 10 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				s := got[0]
				before := s.Count()
				own := 0
				for _, g := range s.Groups {
					if servesDump(g) {
						own += g.Count
					}
				}
				dropped := s.DropWriters()
				if own == 0 || dropped < own || s.Count() != before-dropped {
					t.Fatalf("%d goroutines serving the dump, dropped %d: %d → %d goroutines", own, dropped, before, s.Count())
				}
				if len(s.LeftOut) != 1 || s.LeftOut[0].Why != parse.WhyWriter || s.LeftOut[0].Count != dropped {
					t.Errorf("LeftOut = %+v, want %d %q", s.LeftOut, dropped, parse.WhyWriter)
				}
				for _, g := range s.Groups {
					if servesDump(g) || hasFunc(g, "net/http.(*connReader).backgroundRead") || notStarted(g) {
						t.Errorf("left in: %+v", g.Frames)
					}
				}
				snaps = append(snaps, s)
				time.Sleep(30 * time.Millisecond)
			}
			rep := classify.Compare(snaps, nil)
			var flagged []string
			for _, g := range rep.Groups {
				if g.Verdict != classify.OK {
					flagged = append(flagged, fmt.Sprintf("%s %s %v %v", g.Verdict, g.Label, g.Evidence, g.Frames))
				}
			}
			if diff := cmp.Diff([]string(nil), flagged); diff != "" {
				t.Errorf("a quiet service, fetched 6 times (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWatchReplicas watches three replicas of one service, two of them
// leaking: the report says on how many the group grows.
func TestWatchReplicas(t *testing.T) {
	a, b, c := startService(t, "leak"), startService(t, "leak"), startService(t, "control")
	var stdout, stderr bytes.Buffer
	code := run([]string{"--watch", "--interval", "200ms", "--count", "10", "--frames", "1", a, b, c}, nil, &stdout, &stderr)
	if code != exitLeak {
		t.Errorf("exit %d, want %d (stderr %q)", code, exitLeak, stderr.String())
	}
	var leaks []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) > 3 && f[1] == "leak" {
			// "15:04:05 leak      URL  chan-send +6 (...) at SITE: why; grows on N of M targets"
			leaks = append(leaks, f[2]+" "+f[3]+" "+line[strings.LastIndex(line, ";")+2:])
		}
	}
	want := []string{a + " chan-send grows on 2 of 3 targets", b + " chan-send grows on 2 of 3 targets"}
	if diff := cmp.Diff(want, leaks); diff != "" {
		t.Errorf("leak lines (-want +got):\n%s\noutput:\n%s", diff, stdout.String())
	}
	if !strings.Contains(stdout.String(), "  leak chan-send at stackdiff.leakOne.func1 watch_test.go:") || !strings.Contains(stdout.String(), ": on 2 of 3 targets\n") {
		t.Errorf("the summary lacks the leak on 2 of 3 targets:\n%s", stdout.String())
	}
}

// TestWatchTroubleTargets: a target that refuses or answers 404 gets one
// event and the watch goes on; exit 2 only when no target ever answered.
func TestWatchTroubleTargets(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://127.0.0.1:" + fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	quiet := startService(t, "control")
	secret := strings.Replace(quiet, "http://", "http://ops:hunter2@", 1) + "/nothing"

	var stdout, stderr bytes.Buffer
	code := run([]string{"--watch", "--interval", "50ms", "--count", "3", refused, secret, quiet}, nil, &stdout, &stderr)
	if code != exitOK {
		t.Errorf("exit %d, want 0 (stderr %q)", code, stderr.String())
	}
	var events []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "down" {
			events = append(events, strings.Join(f[2:], " "))
		}
	}
	redacted := strings.Replace(secret, "hunter2", "xxxxx", 1)
	want := []string{
		refused + ": cannot connect to " + refused[len("http://"):] + ": connection refused",
		redacted + ": HTTP 404 Not Found for /nothing; is net/http/pprof registered on this server?",
	}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("down events (-want +got):\n%s\noutput:\n%s", diff, stdout.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "hunter2") {
		t.Errorf("password printed:\n%s%s", stdout.String(), stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	code = run([]string{"--watch", "--json", "--interval", "50ms", "--count", "2", refused}, nil, &stdout, &stderr)
	if code != exitTrouble {
		t.Errorf("every fetch failed: exit %d, want 2", code)
	}
	if got, want := stderr.String(), "stackdiff: "+refused+": cannot connect to "+refused[len("http://"):]+": connection refused\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	var kinds []eventKind
	for _, ev := range ndjson(t, stdout.Bytes()) {
		kinds = append(kinds, ev.Event)
	}
	if diff := cmp.Diff([]eventKind{evDown, evSummary}, kinds); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestWatchFlags(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"--threshold", "5", "a.txt"}, "stackdiff: --threshold and --leak-profile need --watch\n"},
		{[]string{"--leakprofile", "http://127.0.0.1:1"}, "stackdiff: --threshold and --leak-profile need --watch\n"},
		{[]string{"--watch"}, "stackdiff: --watch takes one or more URLs, and no --html, --pprof or --lines\n"},
		{[]string{"--watch", "http://127.0.0.1:1", "a.txt"}, "stackdiff: a.txt: --watch takes URLs of net/http/pprof endpoints (http:// or https://)\n"},
		{[]string{"--watch", "--threshold", "-1", "http://127.0.0.1:1"}, "stackdiff: --threshold must be >= 0\n"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, nil, &stdout, &stderr); code != exitTrouble {
			t.Errorf("%q: exit %d, want 2", tc.args, code)
		}
		if diff := cmp.Diff(tc.stderr, stderr.String()); diff != "" {
			t.Errorf("%q: stderr (-want +got):\n%s", tc.args, diff)
		}
	}
}

// TestWatchLeakProfile serves a real goroutineleak profile: with
// --leakprofile its (leaked) marks are proof from the first fetch.
func TestWatchLeakProfile(t *testing.T) {
	dump, err := os.ReadFile("../../parse/testdata/generated/goroutineleak_debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/goroutineleak", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("debug") != "2" {
			http.Error(w, "want debug=2", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(dump)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var stdout, stderr bytes.Buffer
	code := run([]string{"--watch", "--json", "--leak-profile", "--interval", "10ms", "--count", "2", srv.URL}, nil, &stdout, &stderr)
	if code != exitLeak {
		t.Errorf("exit %d, want 1 (stderr %q)", code, stderr.String())
	}
	var got []string
	for _, ev := range ndjson(t, stdout.Bytes()) {
		if ev.Event == evLeak {
			got = append(got, fmt.Sprintf("%s %s %v", ev.Group.Label, ev.Why, ev.Group.Evidence))
		}
	}
	slices.Sort(got)
	want := []string{
		"chan-receive gc-proven (leaked): 2 of 2 [gc-proven (leaked): 2 of 2]",
		"chan-send gc-proven (leaked): 3 of 3 [gc-proven (leaked): 3 of 3]",
		"mutex-lock gc-proven (leaked): 1 of 1 [gc-proven (leaked): 1 of 1]",
		"select gc-proven (leaked): 1 of 1 [gc-proven (leaked): 1 of 1]",
		"waitgroup gc-proven (leaked): 1 of 1 [gc-proven (leaked): 1 of 1]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("leak events (-want +got):\n%s\n%s", diff, stdout.String())
	}

	// A program without the profile (this one, unless it is Go 1.27 or
	// built with the experiment) answers 404.
	if hasLeakProfile() {
		return
	}
	stdout.Reset()
	stderr.Reset()
	plain := pprofServer(t)
	run([]string{"--watch", "--leakprofile", "--interval", "10ms", "--count", "2", plain.URL}, nil, &stdout, &stderr)
	if want := "HTTP 404 Not Found for /debug/pprof/goroutineleak?debug=2; is net/http/pprof registered on this server? (the goroutineleak profile needs a program built by Go 1.27, or by Go 1.26 with GOEXPERIMENT=goroutineleakprofile)"; !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout %q lacks %q", stdout.String(), want)
	}
}

// withWriter returns a real debug=2 dump with the ID of the goroutine that
// wrote it (the pprof handler) set to id, as another process would have it.
func withWriter(t *testing.T, dump []byte, id int) []byte {
	t.Helper()
	header := regexp.MustCompile(`(?m)^goroutine \d+ (\[running\]:\nruntime/pprof\.writeGoroutine)`)
	if !header.Match(dump) {
		t.Fatal("no writer goroutine in the dump")
	}
	return header.ReplaceAll(dump, []byte(fmt.Sprintf("goroutine %d $1", id)))
}

// unusedID returns a small goroutine ID that no goroutine of the dump has:
// a writer given the ID of another goroutine would start a second dump.
func unusedID(t *testing.T, dump []byte) int {
	t.Helper()
	for id := 2; id < 1000; id++ {
		if !bytes.Contains(dump, []byte(fmt.Sprintf("goroutine %d [", id))) {
			return id
		}
	}
	t.Fatal("no small ID left")
	return 0
}

// TestWatchRestart: a target that restarts is a new process; its
// goroutines are compared from the restart on, not with the old process's
// (where 5 parked goroutines would be new, and a leak).
func TestWatchRestart(t *testing.T) {
	own := pprofServer(t)
	fetch := func() []byte {
		resp, err := http.Get(own.URL + "/debug/pprof/goroutine?debug=2")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := withWriter(t, fetch(), 50000)
	release := startParked(5)
	defer release()
	dump := fetch()
	after := withWriter(t, dump, unusedID(t, dump)) // as a young process would number it

	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 3 {
			w.Write(before)
		} else {
			w.Write(after)
		}
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	run([]string{"--watch", "--json", "--interval", "10ms", "--count", "7", srv.URL}, nil, &stdout, &stderr)
	var kinds []string
	for _, ev := range ndjson(t, stdout.Bytes()) {
		if ev.Event != evSummary {
			kinds = append(kinds, string(ev.Event))
		}
	}
	if diff := cmp.Diff([]string{"restart"}, kinds); diff != "" {
		t.Errorf("events (-want +got):\n%s\n%s", diff, stdout.String())
	}
}

// TestWatchNeverPrintsNegativeGrowth: a group that fell below its first
// count (a restart too small to tell apart, a pool that shrank) and then
// rises again is reported by its rise, never as "-15 (20 → 5)".
func TestWatchNeverPrintsNegativeGrowth(t *testing.T) {
	own := pprofServer(t)
	fetch := func(parked int) []byte {
		release := startParked(parked)
		defer release()
		resp, err := http.Get(own.URL + "/debug/pprof/goroutine?debug=2")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dumps := [][]byte{fetch(20), fetch(1), fetch(3), fetch(5), fetch(7)}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(dumps)-1)
		w.Write(dumps[i])
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	run([]string{"--watch", "--interval", "10ms", "--count", "5", srv.URL}, nil, &stdout, &stderr)
	out := stdout.String()
	if !strings.Contains(out, "chan-send now 7") {
		t.Errorf("the rise of the parked senders is not reported by their count now:\n%s", out)
	}
	if regexp.MustCompile(`chan-send -\d`).MatchString(out) {
		t.Errorf("a negative growth is printed:\n%s", out)
	}
}

// servesDump, hasFunc and notStarted tell, independently of parse, the
// goroutines a fetch makes: the pprof handler writing the dump, its
// connection's reader, and a goroutine not started yet.
func servesDump(g *parse.Group) bool {
	return hasPrefixFunc(g, "runtime/pprof.writeGoroutine") && hasPrefixFunc(g, "net/http/pprof.")
}

func hasPrefixFunc(g *parse.Group, prefix string) bool {
	return slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return strings.HasPrefix(f.Func, prefix) })
}

func hasFunc(g *parse.Group, fn string) bool {
	return slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return f.Func == fn })
}

func notStarted(g *parse.Group) bool {
	return !slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return f.Func != "runtime.goexit" })
}
