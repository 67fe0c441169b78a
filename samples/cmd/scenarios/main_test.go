package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/stackdiff/stackdiff/samples/scenarios"
)

func TestList(t *testing.T) {
	for _, flag := range []string{"-list", "--list"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{flag}, &stdout, &stderr); code != 0 {
			t.Fatalf("run(%s) = %d, stderr %q", flag, code, stderr.String())
		}
		var want []string
		for _, s := range scenarios.All {
			want = append(want, s.Name)
		}
		if diff := cmp.Diff(want, strings.Fields(stdout.String())); diff != "" {
			t.Errorf("run(%s) output mismatch (-want +got):\n%s", flag, diff)
		}
	}
}

// TestRunWritesDumps runs a scenario with Setup and one without, and checks
// that the leak is in the after dump only and that everything was stopped.
func TestRunWritesDumps(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, tc := range []struct{ name, frame string }{
		{"blocked-forever", "scenarios.awaitReply("},
		{"http-handler-blocked", "scenarios.reportHandler.ServeHTTP("},
	} {
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-run", tc.name, "-dir", dir}, &stdout, &stderr); code != 0 {
			t.Fatalf("run(-run %s) = %d, stderr %q", tc.name, code, stderr.String())
		}
		before, err := os.ReadFile(filepath.Join(dir, "before.txt"))
		if err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(filepath.Join(dir, "after.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(before, []byte(tc.frame)) || !bytes.Contains(after, []byte(tc.frame)) {
			t.Errorf("%s: want %s in after.txt only", tc.name, tc.frame)
		}
	}
}

func TestAll(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--all", "--dir", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("run(--all) = %d, stderr %q", code, stderr.String())
	}
	for _, s := range scenarios.All {
		for _, f := range []string{"before.txt", "after.txt"} {
			if _, err := os.Stat(filepath.Join(dir, s.Name, f)); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		err  string // substring of stderr
	}{
		{nil, 2, "give exactly one of -list, -run or -all"},
		{[]string{"-list", "-all", "-dir", "x"}, 2, "give exactly one"},
		{[]string{"-run", "blocked-forever"}, 2, "-dir is required"},
		{[]string{"-run", "no-such", "-dir", "x"}, 2, `unknown scenario "no-such"`},
		{[]string{"-list", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-bogus"}, 2, "unknown"},
		{[]string{"-help"}, 0, ""},
		{[]string{"--help"}, 0, ""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.err) || (tc.err == "") != (stderr.Len() == 0) {
			t.Errorf("run(%q) = %d, stderr %q; want %d, stderr containing %q", tc.args, code, stderr.String(), tc.code, tc.err)
		}
		if tc.code == 0 && !strings.Contains(stdout.String(), "Usage:") {
			t.Errorf("run(%q): help not on stdout: %q", tc.args, stdout.String())
		}
	}
}
