//go:build unix

package capture

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/parse"
)

func TestDumpOnSignal(t *testing.T) {
	var log syncBuffer
	defer func(w io.Writer) { _stderr = w }(_stderr)
	_stderr = &log
	dir := t.TempDir()
	stop, err := DumpOnSignal(dir, syscall.SIGUSR1)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	l := StartLeaks(2)
	defer l.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}

	// Two signals, one after the other's dump: two files, and the process
	// still running to read them.
	var files []string
	for i := 1; i <= 2; i++ {
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		files = waitFiles(t, dir, i)
	}
	stop()
	stop() // idempotent: the goroutine is gone already

	pattern := filepath.Join(dir, fmt.Sprintf("goroutines-%d-*.txt", os.Getpid()))
	for _, f := range files {
		if ok, _ := filepath.Match(pattern, f); !ok {
			t.Errorf("dump file %s does not match %s", f, pattern)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := parse.Read(bytes.NewReader(data), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if n := countFunc(s, BlockSendFunc); n != 2 {
			t.Errorf("%s: %d blocked senders, want 2", f, n)
		}
	}
	if got := strings.Count(log.String(), "goroutine dump written to "+dir); got != 2 {
		t.Errorf("stderr says %d dumps were written, want 2:\n%s", got, log.String())
	}
}

func TestDumpOnSignalNeedsSignals(t *testing.T) {
	if _, err := DumpOnSignal(t.TempDir()); err == nil {
		t.Fatal("DumpOnSignal with no signals succeeded; it would catch them all")
	}
}

// waitFiles waits until dir holds n dump files (finished: they appear by
// rename) and returns them.
func waitFiles(t *testing.T, dir string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "goroutines-*.txt"))
		if len(files) >= n {
			return files
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d dump files after 5s, want %d", len(files), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestDumpOnSignalKeepsNewest: however many signals arrive, the directory
// keeps only the newest dumps.
func TestDumpOnSignalKeepsNewest(t *testing.T) {
	var log syncBuffer
	defer func(w io.Writer) { _stderr = w }(_stderr)
	_stderr = &log
	dir := t.TempDir()
	stop, err := DumpOnSignalKeep(dir, 2, syscall.SIGUSR1)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for i := 1; i <= 5; i++ {
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(log.String(), "goroutine dump written to") < i {
			if time.Now().After(deadline) {
				t.Fatalf("dump %d not written after 5s:\n%s", i, log.String())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	stop()
	files, _ := filepath.Glob(filepath.Join(dir, "goroutines-*.txt"))
	if len(files) != 2 {
		t.Errorf("%d dump files kept, want 2: %v", len(files), files)
	}
	if strings.Contains(log.String(), "stackdiff: capture") || strings.Count(log.String(), "\n") != 5 {
		t.Errorf("stderr reports a problem:\n%s", log.String())
	}
}
