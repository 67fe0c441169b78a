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

// appSource logs, leaks a goroutine, logs again and waits to be dumped:
// a service as `./app 2>&1 | stackdiff` sees it.
const appSource = `package main

import (
	"log"
	"os"
	"time"
)

func main() {
	log.SetFlags(0)
	log.Printf("serving on 127.0.0.1:8080 (password in http://admin:Sup3rSecret@db/ hidden)")
	ch := make(chan int)
	go func() { ch <- 1 }()
	log.Printf("\x1b[31mready\x1b[0m")
	time.Sleep(time.Minute)
	os.Exit(3)
}
`

// TestPipePassesAppLines: in "./app 2>&1 | stackdiff", the app's own lines
// come out as they arrive (before the dump exists) through the output
// gate, and the dump's lines do not; the report is about the dump.
func TestPipePassesAppLines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(appSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module app\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "app")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	app := exec.Command(bin)
	app.Stdout, app.Stderr = pw, pw
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	t.Cleanup(func() { app.Process.Kill(); app.Wait() })

	errR, errW := io.Pipe()
	var stdout bytes.Buffer
	code := make(chan int, 1)
	go func() {
		defer errW.Close()
		defer pr.Close()
		code <- runWith(config{passApp: true}, []string{"--frames", "0"}, pr, &stdout, errW)
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(20 * time.Second):
			t.Fatal("no line from stackdiff within 20 s")
			return ""
		}
	}
	// Both lines arrive while the app still runs: nothing waits for the dump.
	first, second := next(), next()
	if want := "serving on 127.0.0.1:8080 (password in http://admin:xxxxx@db/ hidden)"; first != want {
		t.Errorf("first line %q, want %q", first, want)
	}
	if want := `\x1b[31mready\x1b[0m`; second != want {
		t.Errorf("second line %q, want %q (escaped)", second, want)
	}
	if err := app.Process.Signal(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	for _, l := range rest {
		if strings.HasPrefix(l, "goroutine ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "SIGQUIT") {
			t.Errorf("a dump line came through: %q", l)
		}
	}
	if got := <-code; got == exitTrouble {
		t.Errorf("exit %d: the dump was not read; stdout:\n%s", got, stdout.String())
	}
	// The report is about the dump (what it says of the sender depends
	// on whether it had parked when the signal came: not asserted here).
	if !strings.Contains(stdout.String(), "goroutines in <stdin>") {
		t.Errorf("the report does not summarise the dump:\n%s", stdout.String())
	}
}

// TestPassthroughKeepsDumpsOut runs every real dump of the corpus and the
// samples through the pass-through: what comes out must be the lines
// around the dumps (logs, go test's verdicts), never a line of a dump.
func TestPassthroughKeepsDumpsOut(t *testing.T) {
	var files []string
	for _, pat := range []string{"../../parse/testdata/generated/*.txt", "../../samples/dumps/*/*.txt"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("found %d dumps, want the corpus and the samples", len(files))
	}
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "derived_") {
			continue // every line behind a log prefix: the app's, as written
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := io.Copy(io.Discard, newPassthrough(bytes.NewReader(b), &out)); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if l == "" {
				continue
			}
			if isHeaderLine([]byte(l)) || inDumpShape([]byte(l)) || !bytes.Contains(b, []byte(l+"\n")) {
				t.Errorf("%s: passed %q through", filepath.Base(f), l)
			}
		}
	}
}
