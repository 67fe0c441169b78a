//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stackdiff/stackdiff/samples/scenarios"
)

// sigquitEnv names the scenario a child process runs before its parent
// sends it SIGQUIT: the runtime then prints every goroutine to stderr and
// exits, as a service does on Ctrl-\ or "kill -QUIT".
const sigquitEnv = "STACKDIFF_SCENARIO_SIGQUIT"

// crashIfAsked is called first thing in main: in a child started by
// writeSigquit it runs the scenario, says so on stdout and parks until the
// parent's SIGQUIT kills it, never returning. The signal comes from outside,
// as an operator's does, so no goroutine of the child is busy sending it.
func crashIfAsked() {
	name := os.Getenv(sigquitEnv)
	if name == "" {
		return
	}
	s, ok := scenarios.Lookup(name)
	if !ok {
		fmt.Fprintf(os.Stderr, "scenarios: unknown scenario %q\n", name)
		os.Exit(2)
	}
	if s.Setup != nil {
		s.Setup()
	}
	s.Run() // the leaked goroutines are parked when Run returns
	signal.Reset(syscall.SIGQUIT)
	os.Stdout.WriteString("ready\n")
	select {} // the runtime prints the dump and exits
}

// writeSigquit runs s in a child process that ends by SIGQUIT and writes
// what the runtime printed to path: a crash dump with its "SIGQUIT: quit"
// line and register dump, as an operator gets it.
func writeSigquit(s scenarios.Scenario, path string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), sigquitEnv+"="+s.Name, "GOTRACEBACK=single")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	ready, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	line, _ := bufio.NewReader(ready).ReadString('\n')
	if line == "ready\n" {
		time.Sleep(100 * time.Millisecond) // let main park in select {}
		cmd.Process.Signal(syscall.SIGQUIT)
	} else {
		cmd.Process.Kill()
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !bytes.HasPrefix(stderr.Bytes(), []byte("SIGQUIT: quit")) {
		return fmt.Errorf("child did not die by SIGQUIT: %v\n%.500s", err, stderr.Bytes())
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, stderr.Bytes(), 0o644)
}
