package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strings"
	"testing"
	"time"
)

// pprofServer serves this test process's own goroutine profile on loopback.
func pprofServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/debug/pprof/goroutine", pprof.Handler("goroutine"))
	mux.HandleFunc("/notadump", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>hello</html>"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestURLInputs(t *testing.T) {
	srv := pprofServer(t)
	// A port that refuses: listen, note it, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring
		never    string // a substring stdout must not have
		stderr   string // substring
		snapshot int    // inputs in the JSON report, when code < 2
	}{
		{name: "debug2", args: []string{"--json", srv.URL + "/debug/pprof/goroutine?debug=2"}, code: 0, stdout: `"format": "stack"`, snapshot: 1},
		{name: "debug1-vs-debug2", args: []string{"--json", "--fail-on", "never", srv.URL + "/debug/pprof/goroutine?debug=1", srv.URL + "/debug/pprof/goroutine?debug=2"}, code: 0, stdout: `"format": "pprof-debug1"`, snapshot: 2},
		{name: "proto", args: []string{"--json", srv.URL + "/debug/pprof/goroutine"}, code: 0, stdout: `"format": "pprof-proto"`, snapshot: 1,
			stderr: "gives the pprof-proto profile, without goroutine states, IDs or creators; ?debug=2 gives them"},
		{name: "bare-host", args: []string{"--json", srv.URL}, code: 0, stdout: `"format": "stack"`, snapshot: 1},
		// The process fetched from is this one, so each dump holds the
		// client connection of its own fetch: new every time. The verdicts
		// are right (a new connection is there) but not the point here.
		{name: "interval", args: []string{"--json", "--fail-on", "never", "--interval", "20ms", srv.URL}, code: 0, stdout: srv.URL + `@20ms"`, never: "xxxxx", snapshot: 2},
		// host:port@0s names a fetch; it holds no password to hide (the
		// evidence "new since http://127.0.0.1:7092@0s" once showed one).
		{name: "interval-text", args: []string{"--all", "--fail-on", "never", "--interval", "20ms", srv.URL}, code: 0, stdout: "since " + srv.URL + "@0s (", never: "xxxxx"},
		{name: "count", args: []string{"--json", "--fail-on", "never", "--interval", "10ms", "--count", "3", srv.URL}, code: 0, stdout: `@20ms"`, snapshot: 3},
		{name: "refused", args: []string{refused}, code: 2, stderr: "cannot connect to"},
		{name: "404", args: []string{srv.URL + "/nothing"}, code: 2, stderr: "HTTP 404 Not Found for /nothing; is net/http/pprof registered on this server?"},
		{name: "not-a-dump", args: []string{srv.URL + "/notadump"}, code: 2, stderr: "not a goroutine dump (text/html)"},
		{name: "interval-needs-one-url", args: []string{"--interval", "1s", "a.txt"}, code: 2, stderr: "take exactly one URL"},
		{name: "count-one", args: []string{"--count", "1", srv.URL}, code: 2, stderr: "--count must be at least 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run(tc.args, nil, &stdout, &stderr)
			if time.Since(start) > 20*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%.2000s", tc.stdout, stdout.String())
			}
			if tc.never != "" && strings.Contains(stdout.String(), tc.never) {
				t.Errorf("stdout has %q:\n%.2000s", tc.never, stdout.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.stderr)
			}
			if tc.code == 2 && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
				t.Errorf("error is not one line: %q", stderr.String())
			}
			if tc.snapshot > 0 {
				var rep struct{ Inputs []struct{ Goroutines int } }
				if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
					t.Fatalf("--json output: %v", err)
				}
				if len(rep.Inputs) != tc.snapshot || rep.Inputs[0].Goroutines == 0 {
					t.Errorf("inputs %+v, want %d snapshots of this process", rep.Inputs, tc.snapshot)
				}
			}
		})
	}
}
