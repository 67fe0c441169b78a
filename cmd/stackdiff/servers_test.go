package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
)

// verdicts is the part of the JSON report these tests read.
type verdicts struct {
	Groups []struct {
		Label    string
		Verdict  string
		Counts   []int
		Evidence []string
	}
}

// runJSON runs stackdiff --json on files and returns its exit code and
// report; anything on stderr fails the test.
func runJSON(t *testing.T, files ...string) (int, verdicts) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"--json"}, files...), nil, &stdout, &stderr)
	if stderr.Len() > 0 {
		t.Errorf("stackdiff %v: stderr: %s", files, stderr.String())
	}
	var rep verdicts
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("stackdiff %v: %v", files, err)
	}
	return code, rep
}

// flagged lists the groups of rep with one of the verdicts, as JSON.
func flagged(rep verdicts, verdicts ...string) []string {
	var out []string
	for _, g := range rep.Groups {
		if slices.Contains(verdicts, g.Verdict) {
			b, _ := json.Marshal(g)
			out = append(out, string(b))
		}
	}
	return out
}

// TestServerDumps reads the dumps of real servers that samples/servers
// captured from their own pprof endpoints and stderr: none of them leaks.
// Every dump, the pair around a load cycle, idle against load in each
// format, and the load ramp exit 0 with no leak; the quiet states (idle,
// after the load, the pairs, the crash dump) have no suspect either. Dumps under load may have suspects: a
// crowd or a request in flight is worth a look.
func TestServerDumps(t *testing.T) {
	t.Chdir("../..")
	dirs, err := filepath.Glob("samples/servers/*/pair")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 3 {
		t.Fatalf("%d servers under samples/servers, want at least 3", len(dirs))
	}
	quiet := []string{"idle.txt", "idle.debug1.txt", "idle.pb.gz", "after-load.txt", "pair/before.txt", "pair/after.txt"}
	busy := []string{"load.txt", "load.debug1.txt", "load.pb.gz"}
	for _, d := range dirs {
		dir := filepath.Dir(d)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ramp, err := filepath.Glob(filepath.Join(dir, "ramp", "*.txt"))
			if err != nil || len(ramp) != 5 {
				t.Fatalf("ramp: %v, %v", ramp, err)
			}
			check := func(quiet bool, files ...string) {
				t.Helper()
				code, rep := runJSON(t, files...)
				bad := []string{"leak"}
				if quiet {
					bad = append(bad, "suspect")
				}
				if got := flagged(rep, bad...); code != 0 || len(got) > 0 {
					t.Errorf("stackdiff %v: exit %d, want 0 with no %v:\n%v", files, code, bad, got)
				}
			}
			crash, err := filepath.Glob(filepath.Join(dir, "sig*.txt")) // sigquit.txt, or sigabrt.txt
			if err != nil || len(crash) != 1 {
				t.Fatalf("crash dump: %v, %v", crash, err)
			}
			check(true, crash[0])
			for _, f := range quiet {
				check(true, filepath.Join(dir, f))
			}
			for _, f := range busy {
				check(false, filepath.Join(dir, f))
			}
			for _, f := range ramp {
				check(false, f)
			}
			check(true, filepath.Join(dir, "pair/before.txt"), filepath.Join(dir, "pair/after.txt"))
			check(false, ramp...)
			// Idle, then under load: all the growth is connections and
			// requests in flight, in every format. debug=1 and protobuf
			// have no IDs and no creators to walk: what grew follows the
			// connection readers, or starts in a closure of their code.
			for i, f := range busy {
				check(true, filepath.Join(dir, quiet[i]), filepath.Join(dir, f))
			}
			// Across formats: a text dump has states, creators and IDs, a
			// profile none, and neither loses the match (a fetch's own
			// connection may linger as a suspect).
			check(false, filepath.Join(dir, "idle.txt"), filepath.Join(dir, "load.pb.gz"))
			check(false, filepath.Join(dir, "idle.pb.gz"), filepath.Join(dir, "load.txt"))
			check(false, filepath.Join(dir, "idle.txt"), filepath.Join(dir, "idle.pb.gz"))
		})
	}
}

// TestGatewayBlame: a gateway whose handlers hang on an upstream call is
// blamed on its handlers, first, in the diff and in the SIGQUIT dump; the
// client connections carrying their requests are not idle.
func TestGatewayBlame(t *testing.T) {
	t.Chdir("../..")
	dir := "samples/dumps/gateway-upstream-hung/"
	for _, files := range [][]string{
		{dir + "before.txt", dir + "after.txt"},
		{dir + "sigquit.txt"},
	} {
		_, rep := runJSON(t, files...)
		if len(rep.Groups) == 0 || rep.Groups[0].Label != "http-server-handler" {
			t.Errorf("stackdiff %v: first row %v, want http-server-handler", files, rep.Groups[:min(1, len(rep.Groups))])
		}
		for _, g := range rep.Groups {
			if g.Label == "http-idle-conn" || g.Label == "http-server-conn" {
				t.Errorf("stackdiff %v: %s %v: the requests are in flight", files, g.Label, g.Counts)
			}
		}
	}
}

// TestWatchServerRamp serves each server's dumps, idle then up the load
// ramp and back down, to --watch: growth that follows the connections is no
// leak event, and the watch exits 0.
func TestWatchServerRamp(t *testing.T) {
	dirs, err := filepath.Glob("../../samples/servers/*/ramp")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no ramp under samples/servers: %v", err)
	}
	for _, d := range dirs {
		dir := filepath.Dir(d)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ramp, _ := filepath.Glob(filepath.Join(d, "*.txt"))
			var dumps [][]byte
			for _, f := range append(append([]string{filepath.Join(dir, "idle.txt")}, ramp...), filepath.Join(dir, "after-load.txt")) {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				dumps = append(dumps, b)
			}
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := min(int(n.Add(1))-1, len(dumps)-1)
				w.Write(dumps[i])
			}))
			defer srv.Close()
			var stdout, stderr bytes.Buffer
			code := run([]string{"--watch", "--json", "--interval", "10ms", "--count", strconv.Itoa(len(dumps)), srv.URL}, nil, &stdout, &stderr)
			var leaks []string
			for _, ev := range ndjson(t, stdout.Bytes()) {
				if ev.Event == evLeak {
					leaks = append(leaks, fmt.Sprintf("%s %s %v", ev.Group.Label, ev.Why, ev.Group.Evidence))
				}
			}
			if code != 0 || len(leaks) > 0 {
				t.Errorf("exit %d, leak events %v (stderr %q)", code, leaks, stderr.String())
			}
		})
	}
}
