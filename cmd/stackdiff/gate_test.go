package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/pprof/profile"
)

// The planted secret and the characters no output may carry raw: BEL,
// DEL, C1 (NEL), RIGHT-TO-LEFT OVERRIDE and ESC.
const (
	secret  = "Sup3rSecret"
	planted = "http://admin:" + secret + "@nas/"
	hostile = "\a\x7f\u0085\u202e\x1b"
)

// hostileDumps writes a real pair of dumps (samples/dumps/unbuffered-send)
// with the secret and the control characters planted in the leaking
// goroutine's file path and function name, in the state of goroutine 1,
// and in a log line written into the middle of a stack (which the warnings
// quote).
func hostileDumps(t *testing.T) (before, after string, afterText []byte) {
	t.Helper()
	dir := t.TempDir()
	plant := func(b []byte) []byte {
		s := string(b)
		for _, r := range [][2]string{
			{"samples/scenarios/chan.go", "samples/scenarios/" + planted + "x" + hostile + "/chan.go"},
			// No ESC here: the parser drops a header holding one (it
			// strips escape sequences, a log viewer's colours).
			{"[running]", "[running " + planted + strings.TrimSuffix(hostile, "\x1b") + "]"},
			{"scenarios.fetchWithTimeout.func1()", "scenarios.fetch" + hostile + planted + "WithTimeout.func1()"},
		} {
			s = strings.ReplaceAll(s, r[0], r[1])
		}
		// A log line inside the stack: the parser skips it with a warning
		// that quotes it.
		first := strings.Index(s, "\n\t")
		if i := strings.Index(s[first+1:], "\n"); i > 0 {
			at := first + 1 + i + 1
			s = s[:at] + "log: " + planted + hostile + "\n" + s[at:]
		}
		return []byte(s)
	}
	for _, name := range []string{"before.txt", "after.txt"} {
		b, err := os.ReadFile(filepath.Join("../../samples/dumps/unbuffered-send", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "after.txt" {
			b = plant(b)
			afterText = b
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "before.txt"), filepath.Join(dir, "after.txt"), afterText
}

// checkGated fails if out shows the secret or a raw hostile character, and
// unless it shows the planted URL redacted (the test proves nothing if the
// planted strings never reach the output).
func checkGated(t *testing.T, what, out string, mustShow bool) {
	t.Helper()
	if strings.Contains(out, secret) {
		t.Errorf("%s shows the password:\n%.2000s", what, out)
	}
	if i := strings.IndexAny(out, hostile); i >= 0 {
		t.Errorf("%s holds a raw %q: …%q…", what, out[i:i+1], out[max(0, i-60):min(len(out), i+20)])
	}
	if mustShow && !strings.Contains(out, "admin:xxxxx@nas") {
		t.Errorf("%s does not show the planted URL, redacted:\n%.2000s", what, out)
	}
}

// TestNothingRawReachesOutput walks every output mode with a planted URL
// password and planted control characters: none reaches stdout, stderr,
// the HTML page or the strings of the pprof profile raw.
func TestNothingRawReachesOutput(t *testing.T) {
	before, after, afterText := hostileDumps(t)
	dir := t.TempDir()
	html, pb := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.pb.gz")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"text", []string{before, after}},
		{"all", []string{"--all", "--frames", "20", before, after}},
		{"one dump", []string{after}},
		{"json", []string{"--json", before, after}},
		{"lines", []string{"--lines", before, after}},
		{"html", []string{"--html", html, before, after}},
		{"pprof", []string{"--pprof", pb, before, after}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, nil, &stdout, &stderr); code == exitTrouble {
				t.Fatalf("exit %d; stderr %s", code, stderr.String())
			}
			checkGated(t, "stderr", stderr.String(), true) // the warning quoting the log line
			switch tc.name {
			case "html":
				b, err := os.ReadFile(html)
				if err != nil {
					t.Fatal(err)
				}
				checkGated(t, "html", string(b), true)
			case "pprof":
				checkGated(t, "pprof", profileStrings(t, pb), true)
			default:
				checkGated(t, "stdout", stdout.String(), true)
			}
		})
	}
	t.Run("error", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		missing := dir + "/" + planted + hostile + ".txt"
		if code := run([]string{missing}, nil, &stdout, &stderr); code != exitTrouble {
			t.Errorf("exit %d, want %d", code, exitTrouble)
		}
		checkGated(t, "stderr", stderr.String(), true)
	})
	t.Run("watch", func(t *testing.T) {
		for _, json := range []bool{false, true} {
			srv := hostileTarget(t, afterText)
			args := []string{"--watch", "--interval", "20ms", "--count", "8", srv.URL + "/debug/pprof/goroutine?debug=2"}
			if json {
				args = append([]string{"--json"}, args...)
			}
			var stdout, stderr bytes.Buffer
			run(args, nil, &stdout, &stderr)
			checkGated(t, fmt.Sprintf("--watch (json %v) stdout", json), stdout.String(), true)
			checkGated(t, "--watch stderr", stderr.String(), false)
			if strings.Count(stdout.String(), "down") < 3 || !strings.Contains(stdout.String(), "fetch") {
				t.Errorf("--watch (json %v) shows no down target or no group:\n%s", json, stdout.String())
			}
		}
	})
}

// hostileTarget is a pprof endpoint on 127.0.0.1 that fails its first,
// third and fifth fetches with the secret and the control characters in
// its status line and body, its Content-Type and its Location, and
// otherwise serves the hostile dump with one more copy of its leaking
// goroutine at each fetch.
func hostileTarget(t *testing.T, dump []byte) *httptest.Server {
	blocks := strings.Split(strings.TrimSpace(string(dump)), "\n\n")
	leaker := blocks[len(blocks)-1]
	header, stack, _ := strings.Cut(leaker, "\n")
	state := header[strings.Index(header, " ["):]
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(fetches.Add(1))
		switch n {
		case 3:
			w.Header().Set("Content-Type", "text/html; a="+planted+hostile)
			w.Write([]byte("<html></html>"))
			return
		case 5:
			w.Header().Set("Location", strings.Replace(planted, "nas", r.Host, 1)+hostile)
			w.WriteHeader(http.StatusFound)
			return
		}
		if n > 1 {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintf(w, "%s\n\n", strings.Join(blocks[:len(blocks)-1], "\n\n"))
			for i := range n {
				fmt.Fprintf(w, "goroutine %d%s\n%s\n\n", 1000+i, state, stack)
			}
			return
		}
		{
			// A status line net/http would not write: hijack and write it.
			conn, rw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			body := "backend " + planted + " failed" + hostile + "\n"
			fmt.Fprintf(rw, "HTTP/1.1 500 backend %s failed%s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
				planted, "\a\x7f", len(body), body)
			rw.Flush()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// profileStrings decodes a pprof profile and returns every string it
// holds, one a line.
func profileStrings(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, fn := range p.Function {
		fmt.Fprintf(&b, "%s\n%s\n%s\n", fn.Name, fn.SystemName, fn.Filename)
	}
	for _, s := range p.Sample {
		for k, vs := range s.Label {
			fmt.Fprintf(&b, "%s\n%s\n", k, strings.Join(vs, "\n"))
		}
	}
	fmt.Fprintln(&b, strings.Join(p.Comments, "\n"))
	return b.String()
}
