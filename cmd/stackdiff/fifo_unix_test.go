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

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }

// TestFIFOWaitsAndSays: an input that is a FIFO with no writer yet keeps
// stackdiff waiting, as reading a pipe does, and it says so on stderr
// rather than look hung; the dump written later is read as usual.
func TestFIFOWaitsAndSays(t *testing.T) {
	defer func(d time.Duration) { fifoWait = d }(fifoWait)
	fifoWait = 50 * time.Millisecond
	fifo := filepath.Join(t.TempDir(), "dump")
	if err := mkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	dump, err := os.ReadFile("../../samples/dumps/unbuffered-send/after.txt")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() { done <- run([]string{"-q", fifo}, nil, &stdout, &stderr) }()
	time.Sleep(300 * time.Millisecond) // past fifoWait: the note is written
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(dump); err != nil {
		t.Fatal(err)
	}
	w.Close()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stderr.String(), "waiting for a program to write to this FIFO") {
			t.Errorf("exit %d, stderr %q; want 0 and the note", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stackdiff did not finish after the writer closed the FIFO")
	}
}
