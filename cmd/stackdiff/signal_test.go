//go:build unix

package main

import (
	"bufio"
	"bytes"
	"io"
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
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The app's lines come back on stderr once stackdiff reads the pipe,
	// which it does only after it has set its signals aside.
	passed := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		br := bufio.NewReader(errPipe)
		line, _ := br.ReadString('\n')
		stderr.WriteString(line)
		close(passed)
		io.Copy(&stderr, br)
		done <- cmd.Wait() // after the last read, as os/exec asks
	}()
	t.Cleanup(func() { cmd.Process.Kill() })

	// Some log lines, then the signals, then the dump the app prints.
	stdin.Write([]byte("2026/11/26 12:00:00 serving\n"))
	select {
	case <-passed:
	case <-time.After(20 * time.Second):
		t.Fatal("the app's first line did not come through within 20 s")
	}
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
