package classify

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// countFS counts the files opened in fsys.
type countFS struct {
	fs.FS
	opens int
}

func (c *countFS) Open(name string) (fs.File, error) {
	c.opens++
	return c.FS.Open(name)
}

func TestSourcesBounds(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	write := func(p, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "go.mod"), "module example.com/app\n\ngo 1.22\n")
	write(filepath.Join(root, "main.go"), "package main\n")
	write(filepath.Join(root, "pkg", "a.go"), "package pkg\n")
	write(filepath.Join(dir, "secret", "x.go"), "package secret\n")
	if err := os.Symlink(filepath.Join(dir, "secret"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo", "x.go"), 0o644); err != nil {
		if err := os.Mkdir(filepath.Join(root, "fifo"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(root, "fifo", "x.go"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		roots []string
		file  string
		found bool
	}{
		{[]string{root}, "example.com/app/main.go", true},      // -trimpath, main.go at the module root
		{[]string{root}, "example.com/app/pkg/a.go", true},     // -trimpath, a package
		{[]string{root}, filepath.Join(root, "main.go"), true}, // absolute, inside the root
		{[]string{root}, "/elsewhere/app/pkg/a.go", true},      // another machine's path, by suffix
		{[]string{root}, "main.go", false},                     // one element: could be anybody's
		{[]string{root}, "../secret/x.go", false},              // ../ escapes the root
		{[]string{root}, "/x/root/../secret/x.go", false},
		{[]string{root}, "link/x.go", false},      // a link out of the root
		{[]string{root}, "root/fifo/x.go", false}, // a FIFO would block for ever
		{[]string{"/"}, "/proc/kmsg", false},      // blocks, and as root eats the kernel log
		{[]string{"/"}, "/proc/self/status", false},
		{[]string{"/"}, "/dev/zero", false},
		{nil, filepath.Join(root, "main.go"), false}, // no sources: nothing is read
	}
	for _, tc := range tests {
		var fss []fs.FS
		for _, r := range tc.roots {
			fss = append(fss, SourceDir(r))
		}
		done := make(chan bool)
		go func() { done <- newSources(fss).lines(tc.file) != nil }()
		select {
		case found := <-done:
			if found != tc.found {
				t.Errorf("roots %v, file %s: found = %v, want %v", tc.roots, tc.file, found, tc.found)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("roots %v, file %s: still reading after 10s", tc.roots, tc.file)
		}
	}
}

// TestSourcesReadOnce: a thousand spellings of one file are one read.
func TestSourcesReadOnce(t *testing.T) {
	fsys := &countFS{FS: fstest.MapFS{"src/app/x.go": {Data: []byte("package app\n")}}}
	s := newSources([]fs.FS{fsys})
	if s.lines("/src/app/x.go") == nil {
		t.Fatal("/src/app/x.go not found")
	}
	opens := fsys.opens // what one read of one spelling costs
	for i := range 1000 {
		file := "/src" + strings.Repeat("/", i%7+1) + strings.Repeat("./", i%5) + "app/x.go"
		if s.lines(file) == nil {
			t.Fatalf("%s not found", file)
		}
	}
	if n := fsys.opens - opens; n != 0 {
		t.Errorf("1000 more spellings of one file: %d more opens, want 0", n)
	}
	if len(s.files) != 1 {
		t.Errorf("%d cache entries, want 1", len(s.files))
	}
}

func TestSourcesSizeCaps(t *testing.T) {
	big := make([]byte, MaxSourceFile+1)
	fsys := fstest.MapFS{"a/big.go": {Data: big}, "a/x.go": {Data: []byte("x\n")}, "a/y.go": {Data: []byte("y\n")}}
	s := newSources([]fs.FS{fsys})
	if s.lines("a/big.go") != nil {
		t.Error("a file over MaxSourceFile was read")
	}
	if s.lines("a/x.go") == nil {
		t.Fatal("a/x.go not found")
	}
	s.left = 1 // the total is spent
	if s.lines("a/y.go") != nil {
		t.Error("a file was read beyond MaxSourceTotal")
	}
}
