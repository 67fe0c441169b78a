package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	reGoroutineID = regexp.MustCompile(`(?m)^goroutine (\d+) `)
	reFileLine    = regexp.MustCompile(`\.go:(\d+)`)
)

// renumbered returns copy k of a real dump with every goroutine ID and
// every line number moved by k: new goroutines at new sites, so an endless
// stream of copies is one dump that keeps growing, the costliest to parse.
func renumbered(dump []byte, k int) []byte {
	out := reGoroutineID.ReplaceAllFunc(dump, func(m []byte) []byte {
		id, _ := strconv.Atoi(string(reGoroutineID.FindSubmatch(m)[1]))
		return fmt.Appendf(nil, "goroutine %d ", id+k*1_000_000)
	})
	return reFileLine.ReplaceAllFunc(out, func(m []byte) []byte {
		n, _ := strconv.Atoi(string(m[len(".go:"):]))
		return fmt.Appendf(nil, ".go:%d", n+k)
	})
}

// smallestGoroutine returns the shortest goroutine block of a dump, with
// its blank line: the one that costs most to parse per byte.
func smallestGoroutine(dump []byte) []byte {
	var best []byte
	for _, block := range bytes.SplitAfter(dump, []byte("\n\n")) {
		if bytes.HasPrefix(block, []byte("goroutine ")) && (best == nil || len(block) < len(best)) {
			best = block
		}
	}
	return best
}

// endlessServer answers on loopback with a body that never ends, built
// from a real dump by next (copy k), until the client goes away.
func endlessServer(t *testing.T, gz bool, next func(k int) []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		var out io.Writer = w
		if gz {
			zw := gzip.NewWriter(w)
			defer zw.Close()
			out = zw
		}
		for k := 0; r.Context().Err() == nil; k++ {
			if _, err := out.Write(next(k)); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestTimeoutEndsTheCommand: --timeout D ends the whole command within
// 2×D against a body that never ends, however costly what it sends is to
// parse, and a gzip body cut by the deadline is an error, not a dump.
func TestTimeoutEndsTheCommand(t *testing.T) {
	dump, err := os.ReadFile("../../samples/dumps/http-body-not-closed/after.txt")
	if err != nil {
		t.Fatal(err)
	}
	same := func(int) []byte { return dump }
	grow := func(k int) []byte { return renumbered(dump, k) }
	small := smallestGoroutine(dump)
	growSmall := func(k int) []byte { return renumbered(small, k) }
	const d = time.Second
	for _, tc := range []struct {
		name  string
		gz    bool
		next  func(int) []byte
		flags []string
	}{
		{"repeated", false, same, nil},
		{"growing", false, grow, nil},
		{"growing-small", false, growSmall, nil},
		{"growing-gzip", true, grow, nil},
		{"repeated-gzip", true, same, []string{"--json"}},
		{"series", false, grow, []string{"--interval", "10ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := endlessServer(t, tc.gz, tc.next)
			args := append(append([]string{"--timeout", d.String()}, tc.flags...), srv.URL+"/debug/pprof/goroutine?debug=2")
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run(args, nil, &stdout, &stderr)
			if elapsed := time.Since(start); elapsed >= 2*d {
				t.Errorf("ended after %v, want under %v", elapsed.Round(time.Millisecond), 2*d)
			}
			if code != exitTrouble || !strings.Contains(stderr.String(), "no complete response within 1s") {
				t.Errorf("exit %d, stderr %q; want exit 2 and the timeout", code, stderr.String())
			}
		})
	}
}
