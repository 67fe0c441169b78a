//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLinesSkipsAFIFOGoMod: a go.mod that is a FIFO in the current
// directory or a --source-root is never opened (it would block for ever,
// waiting for a writer), with or without --no-source; --lines answers
// promptly and the rest of the report is there.
func TestLinesSkipsAFIFOGoMod(t *testing.T) {
	dumps, err := filepath.Abs("../../samples/dumps/unbuffered-send")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "go.mod")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	// Should a read block on the FIFO after all, a writer that opens and
	// closes it ends the read, so that no goroutine outlives the test.
	t.Cleanup(func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	t.Chdir(dir)
	for _, flags := range [][]string{
		{"--lines"},
		{"--lines", "--no-source"},
		{"--lines", "--source-root", dir},
		{"--source-root", dir},
	} {
		args := append(flags, filepath.Join(dumps, "before.txt"), filepath.Join(dumps, "after.txt"))
		var stdout, stderr bytes.Buffer
		done := make(chan int, 1)
		go func() { done <- run(args, nil, &stdout, &stderr) }()
		select {
		case code := <-done:
			if code != exitLeak || !strings.Contains(stdout.String(), "leak") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want the leak reported", flags, code, stdout.String(), stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: no answer after 10s: the FIFO go.mod was opened", flags)
		}
	}
}
