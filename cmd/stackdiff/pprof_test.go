package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/pprof/profile"
)

// TestPprofOutput writes --pprof for a sample pair and reads it back: with
// the pprof library (always), and with go tool pprof itself, as a user
// would, when STACKDIFF_GO_TOOL_PPROF is set.
func TestPprofOutput(t *testing.T) {
	_, before, after := copyDumps(t)
	out := filepath.Join(t.TempDir(), "leaks.pb.gz")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-q", "--pprof", out, before, after}, nil, &stdout, &stderr); code != exitLeak {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitLeak, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		Label, Verdict string
		Count, Delta   int64
		Leaf           string
	}
	var leaks []sample
	for _, s := range p.Sample {
		if s.Label["verdict"][0] != "leak" {
			continue
		}
		leaks = append(leaks, sample{s.Label["label"][0], s.Label["verdict"][0], s.Value[0], s.NumLabel["delta"][0], s.Location[0].Line[0].Function.Name})
	}
	want := []sample{
		{"http-body-not-closed", "leak", 5, 5, "net/http.(*persistConn).readLoop"},
		{"http-client-conn", "leak", 5, 5, "net/http.(*persistConn).writeLoop"},
	}
	if diff := cmp.Diff(want, leaks); diff != "" {
		t.Errorf("leak samples (-want +got):\n%s", diff)
	}

	// go tool pprof is built on first use: about a minute of two cores on
	// a cold cache, more than the rest of this package's tests. It runs
	// when asked (.ci/run asks); the library's reading above always runs.
	if os.Getenv("STACKDIFF_GO_TOOL_PPROF") == "" {
		t.Skip("set STACKDIFF_GO_TOOL_PPROF=1 to read the profile with go tool pprof too")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("STACKDIFF_GO_TOOL_PPROF is set and there is no go command")
	}
	// (The first run under a toolchain GOTOOLCHAIN just fetched builds
	// the pprof tool: minutes on a busy two-core machine.)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	raw, err := exec.CommandContext(ctx, goCmd, "tool", "pprof", "-raw", out).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -raw: %v\n%s", err, raw)
	}
	for _, tag := range []string{"verdict:[leak]", "label:[http-body-not-closed]", "state:[select]", "delta:[5 goroutines]", "wait_minutes:[0 minutes]"} {
		if !bytes.Contains(raw, []byte(tag)) {
			t.Errorf("go tool pprof -raw does not show %s:\n%s", tag, raw)
		}
	}
	traces, err := exec.CommandContext(ctx, goCmd, "tool", "pprof", "-tagfocus", "verdict=leak", "-traces", out).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -traces: %v\n%s", err, traces)
	}
	if !bytes.Contains(traces, []byte("readLoop")) || bytes.Contains(traces, []byte("verdict:  ok")) {
		t.Errorf("-tagfocus verdict=leak -traces does not keep exactly the leaks:\n%s", traces)
	}
}

// TestPprofNeverOverwritesAProfile: a goroutine profile fetched from a
// service is a pprof file too; it is never taken for an old output.
func TestPprofNeverOverwritesAProfile(t *testing.T) {
	dir, before, after := copyDumps(t)
	input := filepath.Join(dir, "goroutine.pb.gz")
	data, err := os.ReadFile("../../parse/testdata/generated/pprof_goroutine_debug0.pb.gz")
	if err != nil {
		t.Skip(err)
	}
	if err := os.WriteFile(input, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--pprof", input, after}, nil, &stdout, &stderr); code != exitTrouble {
		t.Errorf("exit %d, want %d", code, exitTrouble)
	}
	if !strings.Contains(stderr.String(), "is not a profile written by stackdiff") {
		t.Errorf("stderr = %q", stderr.String())
	}
	if got, _ := os.ReadFile(input); !bytes.Equal(got, data) {
		t.Error("the input profile was changed")
	}
	// stackdiff's own profile is replaced.
	out := filepath.Join(dir, "out.pb.gz")
	for range 2 {
		stderr.Reset()
		if code := run([]string{"-q", "--pprof", out, before, after}, nil, &stdout, &stderr); code != exitLeak {
			t.Fatalf("exit %d, want %d: %s", code, exitLeak, stderr.String())
		}
	}
}
