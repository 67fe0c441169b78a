package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// copyDumps puts the before and after dumps of a sample into a fresh
// directory, so a test can watch what happens to them.
func copyDumps(t *testing.T) (dir, before, after string) {
	t.Helper()
	dir = t.TempDir()
	for _, name := range []string{"before.txt", "after.txt"} {
		b, err := os.ReadFile(filepath.Join("../../samples/dumps/http-body-not-closed", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, filepath.Join(dir, "before.txt"), filepath.Join(dir, "after.txt")
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHTMLNeverOverwritesInputs: the report is refused, with exit 2 and one
// line, wherever writing it would destroy something the user has.
func TestHTMLNeverOverwritesInputs(t *testing.T) {
	dir, before, after := copyDumps(t)
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(before, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.html")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	fifo := ""
	if runtime.GOOS != "windows" {
		fifo = filepath.Join(dir, "fifo")
		if err := mkfifo(fifo); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		args []string
		want string // in the one-line error
	}{
		// --json takes no value, so "--html before.txt after.txt" is an easy typo.
		{"typo names the before dump", []string{"--html", before, after}, "is not an HTML report"},
		{"an input given again", []string{"--html", after, before, after}, "is also an input"},
		{"an input through a link", []string{"--html", link, before, after}, "is also an input"},
		{"a link to nothing", []string{"--html", dangling, before, after}, "symbolic link to nothing"},
		{"a directory", []string{"--html", dir, before, after}, "not a regular file"},
		{"a fifo", []string{"--html", fifo, before, after}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.args[1] == "" {
				t.Skip("no fifos here")
			}
			wantBefore, wantAfter := fileText(t, before), fileText(t, after)
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != exitTrouble {
				t.Errorf("exit code %d, want %d", code, exitTrouble)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) || !strings.HasPrefix(lines[0], "stackdiff: --html "+tt.args[1]+": ") {
				t.Errorf("stderr = %q, want one line about %s containing %q", stderr.String(), tt.args[1], tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing: the check runs before any input is read", stdout.String())
			}
			if diff := cmp.Diff(wantBefore, fileText(t, before)); diff != "" {
				t.Errorf("before.txt changed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantAfter, fileText(t, after)); diff != "" {
				t.Errorf("after.txt changed (-want +got):\n%s", diff)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("link.txt is no longer a symbolic link: %v %v", fi, err)
			}
		})
	}
}

// TestHTMLWritesThroughLinks: a link to an old report stays a link, and
// the report it points to is replaced; an old report is replaced in place.
func TestHTMLWritesThroughLinks(t *testing.T) {
	dir, before, after := copyDumps(t)
	report := filepath.Join(dir, "report.html")
	if err := os.WriteFile(report, []byte("<!DOCTYPE html>\n<p>old report"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.html")
	if err := os.Symlink("report.html", link); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-q", "--html", link, before, after}, nil, &stdout, &stderr); code != exitLeak {
		t.Fatalf("exit code %d, want %d; stderr: %s", code, exitLeak, stderr.String())
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("latest.html is no longer a symbolic link: %v %v", fi, err)
	}
	got := fileText(t, report)
	if strings.Contains(got, "old report") || !strings.Contains(got, "http-body-not-closed") {
		t.Errorf("report.html was not replaced by the new report: %.200s", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Errorf("directory holds %d entries, want 4 (no temporary file left): %v", len(entries), entries)
	}
}

// TestHTMLErrorNamesTheGivenPath: a failure names the path the user typed,
// never the temporary file the report is written through.
func TestHTMLErrorNamesTheGivenPath(t *testing.T) {
	_, before, after := copyDumps(t)
	out := filepath.Join(t.TempDir(), "missing-dir", "x.html")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-q", "--html", out, before, after}, nil, &stdout, &stderr); code != exitTrouble {
		t.Fatalf("exit code %d, want %d", code, exitTrouble)
	}
	want := "stackdiff: --html " + out + ": no such file or directory\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

// TestOutputsNeedTheirOwnFiles: --html and --pprof naming one file would
// leave only the profile; an empty name writes nothing. Both are refused
// before anything is read or written.
func TestOutputsNeedTheirOwnFiles(t *testing.T) {
	dir, before, after := copyDumps(t)
	t.Chdir(dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--html", "r.out", "--pprof", "r.out"}, "stackdiff: --html and --pprof name the same file, r.out; give each its own\n"},
		{[]string{"--html", "r.out", "--pprof", "./sub/../r.out"}, "stackdiff: --html and --pprof name the same file, ./sub/../r.out; give each its own\n"},
		{[]string{"--html", ""}, "stackdiff: --html needs a file name\n"},
		{[]string{"--pprof="}, "stackdiff: --pprof needs a file name\n"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append(append([]string{"-q"}, tc.args...), before, after), nil, &stdout, &stderr); code != exitTrouble {
			t.Errorf("%q: exit code %d, want %d", tc.args, code, exitTrouble)
		}
		if diff := cmp.Diff(tc.want, stderr.String()); diff != "" {
			t.Errorf("%q: stderr mismatch (-want +got):\n%s", tc.args, diff)
		}
		if _, err := os.Stat("r.out"); err == nil {
			t.Errorf("%q: r.out was written", tc.args)
		}
	}
}

// TestLinesPathsOpenFromHere: --lines writes a file found through
// --source-root relative to the current directory when it lies under it,
// so that an editor or CI started here opens it.
func TestLinesPathsOpenFromHere(t *testing.T) {
	t.Chdir("../../samples")
	var stdout, stderr bytes.Buffer
	run([]string{"--lines", "--source-root", "..", "dumps/unbuffered-send/before.txt", "dumps/unbuffered-send/after.txt"}, nil, &stdout, &stderr)
	if !strings.HasPrefix(stdout.String(), "scenarios/chan.go:57: leak:") {
		t.Errorf("--lines from samples/ = %q, want scenarios/chan.go:57 first", stdout.String())
	}
	if _, err := os.Stat("scenarios/chan.go"); err != nil {
		t.Errorf("the path printed does not open from here: %v", err)
	}
}
