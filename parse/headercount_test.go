package parse_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/parse"
)

// headerLine matches a goroutine header anywhere on a line, as grep would
// find it: "goroutine N [" or "goroutine N gp=... [".
var headerLine = regexp.MustCompile(`goroutine \d+ (gp=\S+ m=\S+ (mp=\S+ )?)?\[`)

// headerCountExceptions are the files where the header lines are not the
// goroutines read, and why.
var headerCountExceptions = map[string]string{
	"parse/testdata/generated/sigquit_gotraceback_crash.txt": "GOTRACEBACK=crash repeats the running goroutines in each thread's section",
}

// TestHeaderCount reads every dump of the repository (the shared corpus
// copied in testdata, every package's testdata, the samples' dumps) and
// checks that each "goroutine N [" line gave a goroutine: a header form the
// reader does not know would lose its goroutine without a word.
func TestHeaderCount(t *testing.T) {
	root := ".."
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "perf" || d.Name() == ".git" {
				return filepath.SkipDir // another module
			}
			return nil
		}
		rel := filepath.ToSlash(p[len(root)+1:])
		if (strings.Contains(rel, "/testdata/") || strings.HasPrefix(rel, "samples/dumps/")) &&
			!strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, ".md") && !strings.Contains(rel, "/fuzz/") {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, rel := range files {
		data := readMaybeGzip(t, filepath.Join(root, rel))
		want := len(headerLine.FindAll(data, -1))
		if want == 0 {
			continue // no traceback text (JSON, HTML, profiles, goleak lists)
		}
		if _, ok := headerCountExceptions[rel]; ok {
			continue
		}
		checked++
		snaps, _ := parse.ReadAll(bytes.NewReader(data), rel)
		got := 0
		for _, s := range snaps {
			if s.Format == parse.FormatStack {
				got += s.Count()
			}
		}
		if got != want {
			t.Errorf("%s: %d goroutine header lines, %d goroutines read", rel, want, got)
		}
	}
	t.Logf("%d dumps checked", checked)
	if checked < 50 {
		t.Errorf("only %d dumps checked: the walk missed the testdata", checked)
	}
}

func readMaybeGzip(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil // a deliberately broken gzip: no text to count
		}
		b, _ = io.ReadAll(zr)
	}
	return b
}
