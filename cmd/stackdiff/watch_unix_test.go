//go:build unix

package main

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWatchEndsOnSIGINT: Ctrl-C ends a watch with its summary.
func TestWatchEndsOnSIGINT(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	quiet := startService(t, "control")

	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--watch", "--interval", "50ms", "--count", "1000", refused, quiet}, nil, &stdout, &stderr)
	}()
	// The down event of the first round: the watch is under way, and its
	// signal handler installed.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), " down ") {
		if time.Now().After(deadline) {
			t.Fatalf("no down event; stdout %q", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, want 0 (stderr %q)", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watch did not end on SIGINT")
	}
	out := stdout.String()
	if !strings.Contains(out, "watch ended after ") || strings.Contains(out, "after 1000 rounds") || !strings.Contains(out, quiet+": ") {
		t.Errorf("want a summary of a watch cut short:\n%s", out)
	}
}
