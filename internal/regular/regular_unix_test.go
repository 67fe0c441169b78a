//go:build unix

package regular

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenRefusesNonRegular: a FIFO (no writer: opening it for reading
// would wait for ever), a directory and a device are refused at once; a
// regular file, also through a link, is opened.
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "go.mod")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("go.mod", link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, link, dir, "/dev/zero"} {
		start := time.Now()
		f, err := Open(path)
		if err == nil {
			f.Close()
			t.Errorf("Open(%s) succeeded", path)
		} else if !errors.Is(err, ErrNotRegular) {
			t.Errorf("Open(%s) = %v, want ErrNotRegular", path, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Open(%s) took %v", path, d)
		}
	}
	file := filepath.Join(dir, "real")
	if err := os.WriteFile(file, []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "tofile")); err != nil {
		t.Fatal(err)
	}
	got, err := ReadHead(filepath.Join(dir, "tofile"), 6)
	if err != nil || string(got) != "module" {
		t.Errorf("ReadHead = %q, %v; want %q", got, err, "module")
	}
}
