package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	mode := flag.String("mode", "", "the dump to write to standard output (see the package doc)")
	all := flag.Bool("all", false, "write every dump into -dir")
	dir := flag.String("dir", ".", "where -all writes")
	flag.Parse()
	var err error
	if *all {
		err = writeAll(*dir)
	} else {
		err = dump(*mode, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "go127:", err)
		os.Exit(1)
	}
}

// dump starts the goroutines and writes one dump of them.
func dump(mode string, w io.Writer) error {
	start()
	switch mode {
	case "stack":
		buf := make([]byte, 1<<20)
		_, err := w.Write(buf[:runtime.Stack(buf, true)])
		return err
	case "debug1", "debug2":
		return pprof.Lookup("goroutine").WriteTo(w, int(mode[5]-'0'))
	case "leak0", "leak1", "leak2":
		return pprof.Lookup("goroutineleak").WriteTo(w, int(mode[4]-'0'))
	case "sigquit":
		if err := syscall.Kill(os.Getpid(), syscall.SIGQUIT); err != nil {
			return err
		}
		time.Sleep(10 * time.Second) // the runtime exits first
		return fmt.Errorf("still running after SIGQUIT")
	case "panic":
		done := make(chan struct{})
		go func() {
			panic(fmt.Sprintf("bad request %q", "r0"))
		}()
		<-done
	}
	return fmt.Errorf("unknown -mode %q", mode)
}

// dumps names the files -all writes, the mode that writes each, and the
// environment it needs. Modes that crash write their dump to stderr.
var dumps = []struct {
	file, mode string
	env        []string
	stderr     bool
}{
	{"stack_labels.txt", "stack", nil, false},
	{"pprof_goroutine_debug1.txt", "debug1", nil, false},
	{"pprof_goroutine_debug2.txt", "debug2", nil, false},
	{"goroutineleak_debug0.pb", "leak0", nil, false},
	{"goroutineleak_debug1.txt", "leak1", nil, false},
	{"goroutineleak_debug2.txt", "leak2", nil, false},
	{"sigquit.txt", "sigquit", nil, true},
	{"panic_gotraceback_all.txt", "panic", []string{"GOTRACEBACK=all"}, true},
}

func writeAll(dir string) error {
	exe, err := build()
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(exe))
	for _, d := range dumps {
		cmd := exec.Command(exe, "-mode", d.mode)
		cmd.Env = append(os.Environ(), d.env...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		runErr := cmd.Run()
		b := out.Bytes()
		if d.stderr {
			b = errOut.Bytes()
		} else if runErr != nil {
			return fmt.Errorf("-mode %s: %v\n%s", d.mode, runErr, errOut.Bytes())
		}
		if filepath.Ext(d.file) == ".pb" {
			if b, err = trimMappings(b); err != nil {
				return fmt.Errorf("-mode %s: %v", d.mode, err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, d.file), b, 0o644); err != nil {
			return err
		}
	}
	if err := writeTimeout(dir); err != nil {
		return err
	}
	return writeGoleak(dir)
}

// writeGoleak runs TestGoleak (goleak_test.go): goleak's failure lists the
// leaked goroutines with the states the runtime printed.
func writeGoleak(dir string) error {
	cmd := exec.Command("go", "test", "-trimpath", "-count=1", "-run=^TestGoleak$", ".")
	cmd.Env = append(os.Environ(), "GO127_GOLEAK=1")
	out, _ := cmd.CombinedOutput() // it fails: that is the dump
	if !bytes.Contains(out, []byte("found unexpected goroutines")) {
		return fmt.Errorf("go test wrote no goleak failure:\n%s", out)
	}
	return os.WriteFile(filepath.Join(dir, "goleak_verifynone_test_failure.txt"), out, 0o644)
}

// build compiles this program with -trimpath, so that the dumps carry no
// machine paths.
func build() (string, error) {
	tmp, err := os.MkdirTemp("", "go127")
	if err != nil {
		return "", err
	}
	exe := filepath.Join(tmp, "go127")
	cmd := exec.Command("go", "build", "-trimpath", "-o", exe, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return exe, nil
}

// writeTimeout runs TestHang (timeout_test.go) under a short -timeout: go
// test's panic prints every goroutine with its labels.
func writeTimeout(dir string) error {
	cmd := exec.Command("go", "test", "-trimpath", "-count=1", "-timeout=2s", "-run=^TestHang$", ".")
	cmd.Env = append(os.Environ(), "GO127_HANG=1")
	out, _ := cmd.CombinedOutput() // it fails: that is the dump
	if !bytes.Contains(out, []byte("panic: test timed out")) {
		return fmt.Errorf("go test wrote no timeout panic:\n%s", out)
	}
	return os.WriteFile(filepath.Join(dir, "go_test_timeout_panic.txt"), out, 0o644)
}
