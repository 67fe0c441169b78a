package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// htmlPage writes, at path, an HTML page holding the after dump of a
// sample, as a saved debug page or incident page may: it is an input
// stackdiff reads and, to the check of an existing output, an HTML file.
func htmlPage(t *testing.T, path string) string {
	t.Helper()
	dump, err := os.ReadFile("../../samples/dumps/http-body-not-closed/after.txt")
	if err != nil {
		t.Fatal(err)
	}
	page := "<!DOCTYPE html>\n<title>incident</title>\n<pre>\n" + string(dump) + "</pre>\n"
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	return page
}

// oneLineError checks a run refused with exit 2 and one line saying want.
func oneLineError(t *testing.T, code int, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if code != exitTrouble || len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Errorf("exit %d, stderr %q; want exit %d and one line containing %q", code, stderr, exitTrouble, want)
	}
}

// TestOutputIsNeverStandardInput: "stackdiff --html page.html < page.html"
// is refused before anything is written, with and without "-".
func TestOutputIsNeverStandardInput(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "incident.html")
	want := htmlPage(t, page)
	for _, args := range [][]string{
		{"--html", page},
		{"--html", page, "-"},
		{"--html", filepath.Join(dir, ".", "incident.html"), "-"},
	} {
		stdin, err := os.Open(page)
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run(args, stdin, &stdout, &stderr)
		stdin.Close()
		oneLineError(t, code, stderr.String(), "is also standard input")
		if diff := cmp.Diff(want, fileText(t, page)); diff != "" {
			t.Errorf("%q: the page read changed (-want +got):\n%s", args, diff)
		}
	}
}

// TestOutputBecomesStandardInput: an output that does not exist when the
// outputs are checked, but is the file standard input reads by the time
// the report is written (the page renamed there meanwhile), is refused.
func TestOutputBecomesStandardInput(t *testing.T) {
	dir := t.TempDir()
	page, out := filepath.Join(dir, "incident.html"), filepath.Join(dir, "report.html")
	want := htmlPage(t, page)
	stdin, err := os.Open(page)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	c := config{readingStdin: func() {
		if err := os.Rename(page, out); err != nil {
			t.Error(err)
		}
	}}
	var stdout, stderr bytes.Buffer
	code := runWith(c, []string{"-q", "--html", out, "-"}, stdin, &stdout, &stderr)
	oneLineError(t, code, stderr.String(), "is also standard input")
	if diff := cmp.Diff(want, fileText(t, out)); diff != "" {
		t.Errorf("the page read, now at the output's name, changed (-want +got):\n%s", diff)
	}
}

// TestOutputsThatAreOneFile: two outputs that name one file through a
// linked directory or a hard link are refused, and nothing is written.
func TestOutputsThatAreOneFile(t *testing.T) {
	_, before, after := copyDumps(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "empty.out"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(real, "empty.out"), filepath.Join(real, "hard.out")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, outs := range [][2]string{
		{"real/x.out", "dirlink/x.out"},
		{"dirlink/x.out", "real/../real/x.out"},
		{"real/empty.out", "real/hard.out"},
	} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"-q", "--html", outs[0], "--pprof", outs[1], before, after}, nil, &stdout, &stderr)
		oneLineError(t, code, stderr.String(), "name the same file")
		if fi, err := os.Stat("real/x.out"); err == nil {
			t.Errorf("%q: real/x.out written (%d bytes)", outs, fi.Size())
		}
		if fi, err := os.Stat("real/empty.out"); err != nil || fi.Size() != 0 {
			t.Errorf("%q: real/empty.out changed: %v %v", outs, fi, err)
		}
	}
}

// TestOutputCheckUnpacksBounded: deciding whether a gzip file at the
// --pprof path is an earlier profile unpacks at most maxOursRead bytes of
// it, however much it holds (a 4 MB gzip of zeros is 4 GB).
func TestOutputCheckUnpacksBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 256 MiB")
	}
	_, before, after := copyDumps(t)
	bomb := filepath.Join(t.TempDir(), "old.pb.gz")
	f, err := os.Create(bomb)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range 256 {
		zw.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	wantFile := fileText(t, bomb)
	var stdout, stderr bytes.Buffer
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	code := run([]string{"-q", "--pprof", bomb, before, after}, nil, &stdout, &stderr)
	runtime.ReadMemStats(&m1)
	oneLineError(t, code, stderr.String(), "is not a profile written by stackdiff")
	const budget = 64 << 20
	if got := m1.TotalAlloc - m0.TotalAlloc; got > budget {
		t.Errorf("checking a %d KiB gzip allocated %d MiB, want at most %d MiB", len(wantFile)>>10, got>>20, budget>>20)
	}
	if fileText(t, bomb) != wantFile {
		t.Error("the gzip file at the --pprof path changed")
	}
}

// TestRewrittenReportKeepsItsMode: a report written again keeps the
// permissions the user gave the old one (0600 stays private).
func TestRewrittenReportKeepsItsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	_, before, after := copyDumps(t)
	dir := t.TempDir()
	for _, flag := range []string{"--html", "--pprof"} {
		out := filepath.Join(dir, "report"+flag)
		for _, mode := range []os.FileMode{0o600, 0o640} {
			var stdout, stderr bytes.Buffer
			if code := run([]string{"-q", flag, out, before, after}, nil, &stdout, &stderr); code != exitLeak {
				t.Fatalf("%s: exit %d: %s", flag, code, stderr.String())
			}
			if err := os.Chmod(out, mode); err != nil {
				t.Fatal(err)
			}
			if code := run([]string{"-q", flag, out, before, after}, nil, &stdout, &stderr); code != exitLeak {
				t.Fatalf("%s again: exit %d: %s", flag, code, stderr.String())
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != mode {
				t.Errorf("%s rewritten: mode %v, %v; want %v", flag, fi.Mode().Perm(), err, mode)
			}
		}
	}
}
