package scenarios_test

import (
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/stackdiff/stackdiff/samples/scenarios"
)

const pkg = "github.com/stackdiff/stackdiff/samples/scenarios."

// leak describes what a leaky scenario leaves behind after Run, as observed
// on Go 1.26.
type leak struct {
	// groups counts every goroutine that is new after Run, keyed by
	// "state | entry function" (the function its go statement started).
	groups map[string]int
	// headline is the group stackdiff should label Want; it must count WantCount.
	headline string
	// frame is a function every headline goroutine is parked in (or under):
	// the part of the stack that makes it the classic leak.
	frame string
}

var (
	readLoop  = "net/http.(*persistConn).readLoop"
	writeLoop = "net/http.(*persistConn).writeLoop"
	srvConn   = "net/http.(*conn).serve"
)

// leaks lists every leaky scenario; the others must leave nothing behind.
var leaks = map[string]leak{
	"blocked-forever": {
		groups:   map[string]int{"chan receive | scenarios.awaitReply": 10},
		headline: "chan receive | scenarios.awaitReply", frame: pkg + "awaitReply",
	},
	"unbuffered-send": {
		groups:   map[string]int{"chan send | scenarios.fetchWithTimeout.func1": 1},
		headline: "chan send | scenarios.fetchWithTimeout.func1", frame: pkg + "fetchWithTimeout.func1",
	},
	"http-body-not-closed": {
		groups: map[string]int{
			"select | " + readLoop:  5,
			"select | " + writeLoop: 5,
			"IO wait | " + srvConn:  5,
		},
		headline: "select | " + readLoop, frame: readLoop,
	},
	"timer-stopped-then-received": {
		groups:   map[string]int{"chan receive | scenarios.cancelTimeout": 1},
		headline: "chan receive | scenarios.cancelTimeout", frame: pkg + "cancelTimeout",
	},
	"ticker-loop-no-exit": {
		groups:   map[string]int{"chan receive | scenarios.refreshEvery": 1},
		headline: "chan receive | scenarios.refreshEvery", frame: pkg + "refreshEvery",
	},
	"producer-consumer-leak": {
		groups:   map[string]int{"chan send | scenarios.produce": 1},
		headline: "chan send | scenarios.produce", frame: pkg + "produce",
	},
	"sleep-forever": {
		groups:   map[string]int{"sleep | scenarios.retryForever": 10},
		headline: "sleep | scenarios.retryForever", frame: "time.Sleep",
	},
	"select-no-ctx": {
		groups:   map[string]int{"select | scenarios.waitForEvent": 1},
		headline: "select | scenarios.waitForEvent", frame: pkg + "waitForEvent",
	},
	"mutex-deadlock": {
		groups:   map[string]int{"sync.Mutex.Lock | scenarios.transfer": 2},
		headline: "sync.Mutex.Lock | scenarios.transfer", frame: "sync.(*Mutex).Lock",
	},
	"waitgroup-no-done": {
		groups:   map[string]int{"sync.WaitGroup.Wait | scenarios.closeWhenDone": 1},
		headline: "sync.WaitGroup.Wait | scenarios.closeWhenDone", frame: "sync.(*WaitGroup).Wait",
	},
	"cond-no-signal": {
		groups:   map[string]int{"sync.Cond.Wait | scenarios.consumeOne": 1},
		headline: "sync.Cond.Wait | scenarios.consumeOne", frame: "sync.(*Cond).Wait",
	},
	"context-never-cancelled": {
		groups:   map[string]int{"chan receive | scenarios.cleanupWhenDone": 1},
		headline: "chan receive | scenarios.cleanupWhenDone", frame: pkg + "cleanupWhenDone",
	},
	"transport-per-request": {
		groups: map[string]int{
			"IO wait | " + readLoop: 3,
			"select | " + writeLoop: 3,
			"IO wait | " + srvConn:  3,
		},
		headline: "IO wait | " + readLoop, frame: "net/http.(*persistConn).Read",
	},
	"http-handler-blocked": {
		groups:   map[string]int{"chan receive | " + srvConn: 1},
		headline: "chan receive | " + srvConn, frame: pkg + "reportHandler.ServeHTTP",
	},
	"http2-body-not-closed": {
		groups: map[string]int{
			"IO wait | " + scenarios.HTTP2.ReadLoop:   1,
			"select | " + srvConn:                     1, // runs the HTTP/2 serverConn.serve
			"IO wait | " + scenarios.HTTP2.ReadFrames: 1,
		},
		headline: "IO wait | " + scenarios.HTTP2.ReadLoop, frame: scenarios.HTTP2.ReadFrame,
	},
	"exec-not-waited": {
		groups:   map[string]int{"select | os/exec.(*Cmd).watchCtx": 1},
		headline: "select | os/exec.(*Cmd).watchCtx", frame: "os/exec.(*Cmd).watchCtx",
	},
	"pipe-abandoned": {
		groups:   map[string]int{"select | scenarios.writeReport": 1},
		headline: "select | scenarios.writeReport", frame: "io.(*PipeWriter).Write",
	},
	"errgroup-early-return": {
		groups:   map[string]int{"chan send | golang.org/x/sync/errgroup.(*Group).Go.func1": 1},
		headline: "chan send | golang.org/x/sync/errgroup.(*Group).Go.func1", frame: pkg + "squaresUntilError.func1",
	},
	"goroutine-lexer": {
		groups:   map[string]int{"chan send | scenarios.(*lexer).run": 1},
		headline: "chan send | scenarios.(*lexer).run", frame: pkg + "(*lexer).emit",
	},
	"sql-rows-not-closed": {
		groups:   map[string]int{"select | database/sql.(*Rows).awaitDone": 1},
		headline: "select | database/sql.(*Rows).awaitDone", frame: "database/sql.(*Rows).awaitDone",
	},
	"gateway-upstream-hung": {
		groups: map[string]int{
			"select | " + srvConn:   3, // the handler, waiting for the upstream's response
			"IO wait | " + readLoop: 3,
			"select | " + writeLoop: 3,
		},
		headline: "select | " + srvConn, frame: pkg + "gatewayHandler.ServeHTTP",
	},
	"http-handler-spawns": {
		groups: map[string]int{
			"select | scenarios.refreshHandler.refresh": 3,
			"IO wait | " + srvConn:                      1, // the kept-alive connection
		},
		headline: "select | scenarios.refreshHandler.refresh", frame: pkg + "refreshHandler.refresh",
	},
	"http-timeout-handler-hung": {
		groups: map[string]int{
			"chan receive | net/http.(*timeoutHandler).ServeHTTP.func1": 3,
			"IO wait | " + srvConn: 1, // the kept-alive connection
		},
		headline: "chan receive | net/http.(*timeoutHandler).ServeHTTP.func1", frame: pkg + "slowReport.ServeHTTP",
	},
}

type goroutine struct {
	state string
	funcs []string // frame function names, leaf first; the last is the entry function
}

func (g goroutine) key() string {
	if len(g.funcs) == 0 { // an exiting goroutine shows no frame of its own
		return g.state + " | ?"
	}
	entry := g.funcs[len(g.funcs)-1]
	if rest, ok := strings.CutPrefix(entry, pkg); ok {
		entry = "scenarios." + rest
	}
	return g.state + " | " + entry
}

// header matches "goroutine 7 [chan receive, 2 minutes]:", also with the
// " gp=... m=..." that GOTRACEBACK=system adds.
var header = regexp.MustCompile(`^goroutine (\d+) [^\[]*\[([^,\]]+)`)

// snapshot parses runtime.Stack of all goroutines, by goroutine ID.
func snapshot(t *testing.T) map[int]goroutine {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	gs := map[int]goroutine{}
	for _, block := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		m := header.FindStringSubmatch(lines[0])
		if m == nil {
			t.Fatalf("unparsable goroutine header %q", lines[0])
		}
		id, _ := strconv.Atoi(m[1])
		g := goroutine{state: m[2]}
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "created by ") ||
				strings.HasPrefix(l, "runtime.goexit(") { // shown under GOTRACEBACK=system
				continue
			}
			g.funcs = append(g.funcs, l[:strings.LastIndexByte(l, '(')])
		}
		gs[id] = g
	}
	return gs
}

// TestScenarios runs every scenario between two snapshots, checks what it
// left behind, then stops it and proves with goleak that nothing is left.
func TestScenarios(t *testing.T) {
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			if sc.Name == "exec-not-waited" {
				if _, err := os.Stat("/bin/sh"); err != nil {
					t.Skip("needs /bin/sh:", err)
				}
			}
			ignore := goleak.IgnoreCurrent()
			stopSetup := func() {}
			if sc.Setup != nil {
				stopSetup = sc.Setup()
			}
			before := snapshot(t)
			stop := sc.Run()
			after := snapshot(t)
			stop()
			stopSetup()

			var got map[string]int
			headline := 0
			want := leaks[sc.Name]
			for id, g := range after {
				if _, ok := before[id]; ok {
					continue
				}
				if got == nil {
					got = map[string]int{}
				}
				got[g.key()]++
				if g.key() == want.headline {
					headline++
					if !slices.Contains(g.funcs, want.frame) {
						t.Errorf("headline goroutine %d is not in %s: %q", id, want.frame, g.funcs)
					}
				}
			}
			if diff := cmp.Diff(want.groups, got); diff != "" {
				t.Errorf("new goroutines after Run mismatch (-want +got):\n%s", diff)
			}
			if sc.Leaks && headline != sc.WantCount {
				t.Errorf("headline group %q has %d goroutines, WantCount = %d", want.headline, headline, sc.WantCount)
			}
			goleak.VerifyNone(t, ignore)
		})
	}
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, sc := range scenarios.All {
		switch {
		case !kebab.MatchString(sc.Name):
			t.Errorf("%q: name is not kebab-case", sc.Name)
		case seen[sc.Name]:
			t.Errorf("%q: duplicate name", sc.Name)
		case sc.Run == nil:
			t.Errorf("%s: no Run", sc.Name)
		case sc.Doc == "" || !strings.HasSuffix(sc.Doc, "."):
			t.Errorf("%s: Doc %q is not a sentence", sc.Name, sc.Doc)
		case sc.Leaks != (sc.Want != "") || sc.Leaks != (sc.WantCount > 0):
			t.Errorf("%s: Leaks = %v but Want = %q, WantCount = %d", sc.Name, sc.Leaks, sc.Want, sc.WantCount)
		}
		if _, ok := leaks[sc.Name]; ok != sc.Leaks {
			t.Errorf("%s: Leaks = %v, but the test's leaks table disagrees", sc.Name, sc.Leaks)
		}
		seen[sc.Name] = true
		if got, ok := scenarios.Lookup(sc.Name); !ok || got.Name != sc.Name {
			t.Errorf("Lookup(%q) = %q, %v", sc.Name, got.Name, ok)
		}
	}
	if _, ok := scenarios.Lookup("no-such-scenario"); ok {
		t.Error(`Lookup("no-such-scenario") found something`)
	}
}

// TestDumps checks the committed dumps written by "go generate ./samples":
// one directory per scenario, each with both dumps, and no machine paths.
func TestDumps(t *testing.T) {
	entries, err := os.ReadDir("../dumps")
	if err != nil {
		t.Fatal(err)
	}
	var dirs, names []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	for _, sc := range scenarios.All {
		names = append(names, sc.Name)
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(names)), dirs); diff != "" {
		t.Errorf("samples/dumps does not match scenarios.All; run go generate ./samples (-want +got):\n%s", diff)
	}
	// Built with -trimpath, every frame's file is "module/path/file.go" or
	// "pkg/file.go"; an absolute path would be where it was built.
	machine := regexp.MustCompile(`(?m)^\t/\S*`)
	for _, name := range names {
		for _, f := range []string{"before.txt", "after.txt"} {
			b, err := os.ReadFile("../dumps/" + name + "/" + f)
			if err != nil {
				t.Error(err)
				continue
			}
			if !strings.HasPrefix(string(b), "goroutine ") {
				t.Errorf("%s/%s does not start with a goroutine header", name, f)
			}
			if m := machine.Find(b); m != nil {
				t.Errorf("%s/%s carries a machine path (%s); regenerate with -trimpath", name, f, m)
			}
		}
	}
}
