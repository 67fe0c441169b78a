package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden runs stackdiff with args (stdin from the named testdata file when
// not empty) and compares stdout, stderr and the exit code with
// testdata/golden/NAME.{stdout,stderr,code}. A missing file means empty.
func golden(t *testing.T, name, stdinFile string, args ...string) {
	t.Helper()
	var stdin bytes.Reader
	if stdinFile != "" {
		b, err := os.ReadFile(stdinFile)
		if err != nil {
			t.Fatal(err)
		}
		stdin.Reset(b)
	}
	var stdout, stderr bytes.Buffer
	code := run(args, &stdin, &stdout, &stderr)
	got := map[string]string{
		"stdout": stdout.String(),
		"stderr": stderr.String(),
		"code":   strconv.Itoa(code) + "\n",
	}
	for _, ext := range []string{"stdout", "stderr", "code"} {
		path := filepath.Join("testdata", "golden", name+"."+ext)
		if *update {
			if got[ext] == "" {
				os.Remove(path)
				continue
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got[ext]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), got[ext]); diff != "" {
			t.Errorf("stackdiff %s: %s mismatch (-want +got):\n%s", strings.Join(args, " "), ext, diff)
		}
	}
}

func TestGolden(t *testing.T) {
	td := "testdata/"
	corpus := "../../parse/testdata/generated/" // the corpus, kept once
	dumps := "../../samples/dumps/"
	go127 := "../../parse/testdata/go127/"
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{name: "postmortem-mixed", args: []string{corpus + "stack_mixed_states.txt"}},
		{name: "postmortem-mixed.json", args: []string{"--json", corpus + "stack_mixed_states.txt"}},
		// GODEBUG=tracebackancestors: each group says where it descends from.
		{name: "ancestry.json", args: []string{"--json", "../../parse/testdata/generated/stack_tracebackancestors.txt"}},
		{name: "leakprofile", args: []string{corpus + "goroutineleak_debug2.txt"}},
		{name: "leakprofile.json", args: []string{"--json", corpus + "goroutineleak_debug2.txt"}},
		{name: "debug1", args: []string{corpus + "pprof_goroutine_debug1.txt"}},
		{name: "sigquit-stdin", stdin: corpus + "sigquit_gotraceback_all.txt", args: []string{"-"}},
		{name: "sigquit-noargs", stdin: corpus + "sigquit_gotraceback_all.txt"},
		{name: "missing-file", args: []string{td + "no-such-file.txt"}},
		{name: "bad-flag", args: []string{"--frobnicate"}},
		{name: "bad-fail-on", args: []string{"--fail-on", "sometimes", corpus + "stack_mixed_states.txt"}},
		{name: "empty-stdin", stdin: "/dev/null", args: []string{"-"}},
		{name: "two-stdin", args: []string{"-", "-"}},
		{name: "fail-on-suspect", args: []string{"--fail-on", "suspect", "-q", corpus + "stack_mixed_states.txt"}},
		{name: "leaky-pair", args: []string{dumps + "blocked-forever/before.txt", dumps + "blocked-forever/after.txt"}},
		{name: "leaky-pair.json", args: []string{"--json", dumps + "blocked-forever/before.txt", dumps + "blocked-forever/after.txt"}},
		{name: "clean-pair", args: []string{dumps + "producer-consumer/before.txt", dumps + "producer-consumer/after.txt"}},
		{name: "clean-pair.all", args: []string{"--all", dumps + "producer-consumer/before.txt", dumps + "producer-consumer/after.txt"}},
		{name: "lines", args: []string{"--lines", dumps + "http-body-not-closed/before.txt", dumps + "http-body-not-closed/after.txt"}},
		{name: "lines-postmortem", args: []string{"--lines", corpus + "stack_mixed_states.txt"}},
		{name: "lines-and-json", args: []string{"--lines", "--json", corpus + "stack_mixed_states.txt"}},
		{name: "series", args: []string{dumps + "sleep-forever/before.txt", dumps + "sleep-forever/after.txt", dumps + "sleep-forever/after.txt"}},
		{name: "two-dumps-one-stdin", stdin: td + "cat-before-after.txt", args: []string{"--frames", "1"}},
		{name: "gzip", args: []string{"--frames", "1", dumps + "unbuffered-send/before.txt", td + "unbuffered-after.txt.gz"}},
		{name: "junk-around", args: []string{"--frames", "0", td + "junk-around.txt"}},
		{name: "binary-junk", args: []string{td + "binary.bin"}},
		{name: "truncated", args: []string{"--frames", "0", td + "truncated.txt"}},
		{name: "ignore", args: []string{"--ignore", "top:github.com/stackdiff/stackdiff/samples/scenarios.awaitReply", dumps + "blocked-forever/before.txt", dumps + "blocked-forever/after.txt"}},
		{name: "match-stack", args: []string{"--match", "stack", "--frames", "0", dumps + "blocked-forever/before.txt", dumps + "blocked-forever/after.txt"}},
		// Go 1.27 tracebacks carry pprof labels: each group shows its label
		// sets (URL passwords hidden, control characters escaped); labels
		// split groups only with --by-label, and --ignore label: ignores
		// the goroutines that carry one.
		{name: "labels", args: []string{go127 + "goroutineleak_debug2.txt"}},
		{name: "labels.json", args: []string{"--json", go127 + "goroutineleak_debug2.txt"}},
		{name: "labels-debug1.json", args: []string{"--json", go127 + "pprof_goroutine_debug1.txt"}},
		{name: "by-label", args: []string{"--by-label", "endpoint", go127 + "goroutineleak_debug2.txt"}},
		{name: "by-label.json", args: []string{"--json", "--by-label", "endpoint", go127 + "goroutineleak_debug2.txt"}},
		{name: "ignore-label", args: []string{"--all", "--frames", "0", "--ignore", "label:endpoint=/api/export", "--ignore", "label:tenant=nobody", go127 + "goroutineleak_debug2.txt"}},
		{name: "ignore-label-bad", args: []string{"--ignore", "label:endpoint", go127 + "goroutineleak_debug2.txt"}},
		{name: "min-delta", args: []string{"--min-delta", "5", "--fail-on", "never", dumps + "http-body-not-closed/before.txt", dumps + "http-body-not-closed/after.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, tc.stdin, tc.args...)
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--help"}, nil, &stdout, &stderr); code != 0 {
		t.Errorf("run(--help) = %d, want 0", code)
	}
	if !strings.Contains(stdout.String(), "Usage:") || stderr.Len() != 0 {
		t.Errorf("run(--help): stdout %q, stderr %q; want usage on stdout only", stdout.String(), stderr.String())
	}
}

// TestDeterministic runs the same report twice: output must be identical.
func TestDeterministic(t *testing.T) {
	args := []string{"--json", "--all", "../../parse/testdata/generated/sigquit_gotraceback_all.txt", "../../parse/testdata/generated/stack_mixed_states.txt"}
	var a, b bytes.Buffer
	run(args, nil, &a, &bytes.Buffer{})
	run(args, nil, &b, &bytes.Buffer{})
	if a.String() != b.String() {
		t.Error("two runs on the same input gave different output")
	}
}

// TestHTMLFlag writes the HTML report next to the text one.
func TestHTMLFlag(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	var stdout, stderr bytes.Buffer
	code := run([]string{"--html", out, "../../samples/dumps/unbuffered-send/before.txt", "../../samples/dumps/unbuffered-send/after.txt"}, nil, &stdout, &stderr)
	if code != 1 || stderr.Len() > 0 {
		t.Fatalf("run = %d, stderr %q; want 1 and no error", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "chan-send", "1 of them looks leaked"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if code := run([]string{"--html", filepath.Join(t.TempDir(), "no", "dir", "r.html"), "../../samples/dumps/unbuffered-send/after.txt"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("--html into a missing directory: exit %d, want 2", code)
	}
}

// TestGoldenCrashDumps: every crash dump of the corpus (panics, fatal
// errors, deadlocks, test timeouts, synctest, SIGQUIT at each GOTRACEBACK
// level, race, goleak, and their prefixed and CRLF copies) read alone, as
// text and as JSON. The text opens with the event in the runtime's words.
func TestGoldenCrashDumps(t *testing.T) {
	dir := "../../parse/testdata/generated/"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		crash := false
		for _, p := range []string{"panic_", "fatal_", "go_test_timeout_", "synctest_", "sigquit_", "race_", "goleak_", "derived_"} {
			crash = crash || strings.HasPrefix(name, p)
		}
		if !crash {
			continue
		}
		n++
		base := "crash/" + strings.TrimSuffix(name, ".txt")
		t.Run(name, func(t *testing.T) {
			golden(t, base, "", dir+name)
			golden(t, base+".json", "", "--json", dir+name)
		})
	}
	if n < 25 {
		t.Errorf("only %d crash dumps found in %s", n, dir)
	}
}

// TestMatchIDNeedsIDs: --match id on a profile, which has no goroutine
// IDs, is refused with exit 2 and one line saying why; it used to call
// every goroutine old and hide a leak (exit 0).
func TestMatchIDNeedsIDs(t *testing.T) {
	for _, files := range [][]string{
		{"../../samples/servers/etcd/idle.pb.gz", "../../samples/servers/etcd/load.pb.gz"},
		{"../../samples/servers/nats/idle.txt", "../../samples/servers/nats/load.debug1.txt"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"--match", "id"}, files...), nil, &stdout, &stderr)
		if code != 2 || stdout.Len() > 0 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "no goroutine IDs") {
			t.Errorf("--match id %v: exit %d, stdout %q, stderr %q; want exit 2 and one line", files, code, stdout.String(), stderr.String())
		}
	}
}

// TestByLabelUnused: --by-label with a key no goroutine carries says so on
// stderr; with a key the dump has, nothing is said.
func TestByLabelUnused(t *testing.T) {
	dump := "../../parse/testdata/go127/goroutineleak_debug2.txt"
	for key, warned := range map[string]bool{"nosuchkey": true, "endpoint": false} {
		var stdout, stderr bytes.Buffer
		run([]string{"-q", "--by-label", key, dump}, nil, &stdout, &stderr)
		if got := strings.Contains(stderr.String(), "no goroutine carries this label"); got != warned {
			t.Errorf("--by-label %s: stderr %q; warned %v, want %v", key, stderr.String(), got, warned)
		}
	}
}
