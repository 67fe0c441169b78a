package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	rpprof "runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWatchGCProof watches a service built by Go 1.27 (testdata/leakservice)
// without --leakprofile: the watch asks for the goroutineleak profile by
// itself, so goroutines leaked on local channels are a GC-proven leak from
// the first fetches, while workers parked on a channel a global holds are
// not reported at all.
func TestWatchGCProof(t *testing.T) {
	// Go 1.27.3 is a 76 MB download and these runs take a minute or more:
	// they run when asked (.ci/run asks), and then a toolchain that cannot be
	// fetched is a failure, not a skip.
	if testing.Short() || os.Getenv("STACKDIFF_TOOLCHAINS") == "" {
		t.Skip("set STACKDIFF_TOOLCHAINS=1 to run: builds a service with Go 1.27")
	}
	bin := buildLeakService(t)
	for _, tc := range []struct {
		name string
		args []string
		leak bool
	}{
		{"leaky", []string{"-leak"}, true},
		{"clean", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := startProgram(t, exec.Command(bin, tc.args...))
			var stdout, stderr bytes.Buffer
			code := run([]string{"--watch", "--json", "--interval", "100ms", "--count", "2", url}, nil, &stdout, &stderr)
			if stderr.Len() > 0 {
				t.Errorf("stderr: %q (the service serves the goroutineleak profile)", stderr.String())
			}
			var proven, others []string
			for _, ev := range ndjson(t, stdout.Bytes()) {
				switch {
				case ev.Event == evLeak && strings.Contains(ev.Why, "gc-proven (leaked): 3 of 3"):
					proven = append(proven, ev.Group.Label)
				case ev.Event != evSummary:
					others = append(others, string(ev.Event)+" "+ev.Why)
				}
			}
			if tc.leak {
				if code != exitLeak || len(proven) != 1 || proven[0] != "chan-send" {
					t.Errorf("exit %d, GC-proven leaks %q, want exit 1 and one chan-send group\n%s", code, proven, stdout.String())
				}
			} else if code != exitOK || len(proven) > 0 {
				t.Errorf("exit %d, GC-proven leaks %q of a clean service\n%s", code, proven, stdout.String())
			}
			if len(others) > 0 {
				t.Errorf("other events: %q", others)
			}
		})
	}
}

// buildLeakService builds testdata/leakservice with Go 1.27.3 (fetched by
// the go command when missing), or skips the test saying why.
func buildLeakService(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "leakservice", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string]string{"go.mod": "module leakservice\n\ngo 1.27.0\n", "main.go": string(src)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env := append(os.Environ(), "GOTOOLCHAIN=go1.27.3", "GOFLAGS=", "GOWORK=off")
	goCmd := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir, cmd.Env = dir, env
		return cmd
	}
	if out, err := goCmd("version").CombinedOutput(); err != nil {
		t.Fatalf("Go 1.27.3 cannot be run or fetched: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "leakservice")
	if out, err := goCmd("build", "-trimpath", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the service with Go 1.27.3: %v\n%s", err, out)
	}
	return bin
}

// startProgram starts cmd, which prints its URL on its first line of
// output, and ends it when the test ends: it closes its input, then kills it.
func startProgram(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
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
		t.Fatalf("%s: %q, %v", cmd.Path, line, err)
	}
	return strings.TrimSpace(line)
}

// hasLeakProfile reports whether this process (and so a helper service
// that is this test binary) serves the goroutineleak profile.
func hasLeakProfile() bool { return rpprof.Lookup("goroutineleak") != nil }

// withoutNotes drops the watch's fallback notes from its standard error.
func withoutNotes(stderr string) string {
	var rest []string
	for _, line := range strings.SplitAfter(stderr, "\n") {
		if line != "" && !strings.Contains(line, "no goroutineleak profile here") {
			rest = append(rest, line)
		}
	}
	return strings.Join(rest, "")
}

// TestWatchFallsBack watches a service without the goroutineleak profile:
// the watch says so once, then watches its goroutine profile.
func TestWatchFallsBack(t *testing.T) {
	dump, err := os.ReadFile("../../parse/testdata/generated/goroutineleak_debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		if r.URL.Path != "/debug/pprof/goroutine" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(dump)
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--watch", "--json", "--interval", "10ms", "--count", "3", srv.URL}, nil, &stdout, &stderr); code == exitTrouble {
		t.Errorf("exit %d (stderr %q)", code, stderr.String())
	}
	wantErr := "stackdiff: " + srv.URL + ": no goroutineleak profile here (HTTP 404): watching the goroutine profile, without the GC's proof of leaks (it needs Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile)\n"
	if diff := cmp.Diff(wantErr, stderr.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	wantPaths := []string{"/debug/pprof/goroutineleak?debug=2", "/debug/pprof/goroutine?debug=2", "/debug/pprof/goroutine?debug=2", "/debug/pprof/goroutine?debug=2"}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, ev := range ndjson(t, stdout.Bytes()) {
		if ev.Event == evDown {
			t.Errorf("a down event: %s", ev.Error)
		}
	}
}
