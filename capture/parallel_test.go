package capture_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A module of its own, built against this checkout: two parallel tests,
// one leaking, one clean; and a package whose TestMain checks for leaks.
var parallelModule = map[string]string{
	"go.mod": `module leakcheck

go 1.26.0

require github.com/stackdiff/stackdiff v0.0.0

replace github.com/stackdiff/stackdiff => CHECKOUT
`,
	"parallel_test.go": `package leakcheck

import (
	"sync"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
)

var never = make(chan struct{})

func parkDirect()   { <-never }
func parkIndirect() { <-never }

// TestLeaky leaks a goroutine it starts itself, and one started by a
// goroutine of its own that has exited by the time VerifyNone looks.
func TestLeaky(t *testing.T) {
	t.Parallel()
	defer capture.VerifyNone(t, capture.MaxWait(200*time.Millisecond))
	go parkDirect()
	var wg sync.WaitGroup
	wg.Go(func() { go parkIndirect() })
	wg.Wait()
}

// TestClean runs alongside TestLeaky and leaves nothing behind.
func TestClean(t *testing.T) {
	t.Parallel()
	defer capture.VerifyNone(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { time.Sleep(time.Millisecond) })
	}
	wg.Wait()
}
`,
	"tm/tm_test.go": `package tm

import (
	"sync"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
)

func TestMain(m *testing.M) {
	capture.VerifyTestMain(m, capture.MaxWait(100*time.Millisecond))
}

var never = make(chan struct{})

func park() { <-never }

func fetch(n int) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for range n {
			go park()
		}
	})
	wg.Wait()
}

func TestFetchAll(t *testing.T) { fetch(3) }

func TestQuiet(t *testing.T) {}
`,
}

// TestParallelTestsDoNotBlameEachOther runs the module's tests 20 times
// under GODEBUG=tracebackancestors=100: the leaky test fails every time
// and names its two goroutines (not those of its earlier runs), the clean
// one never fails, and VerifyTestMain names the test that leaked.
func TestParallelTestsDoNotBlameEachOther(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module of its own")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	checkout, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, text := range parallelModule {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		text = strings.ReplaceAll(text, "CHECKOUT", filepath.ToSlash(checkout))
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := os.ReadFile(filepath.Join(checkout, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "test", "-count=20", "-v", "-run", ".", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"),
		"GOWORK=off", "GOTOOLCHAIN=local",
		"GODEBUG=tracebackancestors=100")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go test -count=20 took %v", time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		t.Fatalf("go test did not finish: %v\n%s", ctx.Err(), out)
	}
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("go test: %v, want a failing run\n%s", err, out)
	}
	text := string(out)

	count := func(re string) int { return len(regexp.MustCompile(re).FindAllString(text, -1)) }
	got := map[string]int{
		"TestLeaky failed":         count(`(?m)^\s*--- FAIL: TestLeaky \(`),
		"TestClean passed":         count(`(?m)^\s*--- PASS: TestClean \(`),
		"TestClean failed":         count(`--- FAIL: TestClean`),
		"exactly its 2 goroutines": count(`found 2 unexpected goroutines`),
		"unattributed":             count(`could not be attributed`),
	}
	want := map[string]int{
		"TestLeaky failed":         20,
		"TestClean passed":         20,
		"TestClean failed":         0,
		"exactly its 2 goroutines": 20,
		"unattributed":             0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s\n%s", diff, text)
	}
	// Each failure names both goroutines, the one whose parent exited too.
	for i, failure := range strings.Split(text, "found 2 unexpected goroutines")[1:] {
		failure, _, _ = strings.Cut(failure, "--- FAIL: TestLeaky")
		for _, fn := range []string{"leakcheck.parkDirect", "leakcheck.parkIndirect"} {
			if !strings.Contains(failure, fn) {
				t.Errorf("failure %d does not name %s:\n%s", i+1, fn, failure)
			}
		}
	}
	for _, want := range []string{
		"stackdiff: tests passed but leaked goroutines",
		"evidence: leaked by TestFetchAll (60 goroutines)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}
