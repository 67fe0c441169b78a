//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPipeSurvivesSignals runs the real binary as "./app 2>&1 | stackdiff"
// would: Ctrl-\ and Ctrl-C reach the whole pipeline, and stackdiff must
// live on to read the dump the app prints.
func TestPipeSurvivesSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "stackdiff")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dump, err := os.ReadFile("../../samples/dumps/unbuffered-send/after.txt")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--frames", "0")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })

	// Some log lines, then the signals, then the dump the app prints.
	stdin.Write([]byte("2026/11/26 12:00:00 serving\n"))
	time.Sleep(200 * time.Millisecond) // let stackdiff install its handlers
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGINT} {
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	stdin.Write([]byte("SIGQUIT: quit\nPC=0x0 m=0 sigcode=0\n\n"))
	stdin.Write(dump)
	stdin.Close()

	select {
	case err := <-done:
		if cmd.ProcessState.ExitCode() != 0 {
			t.Fatalf("stackdiff exited %v (stderr %q); want 0 after reading the dump", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("stackdiff did not finish")
	}
	if !strings.Contains(stdout.String(), "2 goroutines in <stdin>") {
		t.Errorf("stdout = %q, want the summary of the dump", stdout.String())
	}
}
