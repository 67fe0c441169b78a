package capture

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

// TestCheckInAModule is the proof of Check: a module of its own
// (testdata/checkmod) whose tests call it, with parallel tests, a leak
// through a goroutine that has exited, serial tests after leaky ones, a
// leak the GC cannot prove and subtests, run with -count=10 as a go 1.26
// module under Go 1.26 and Go 1.27 and as a go 1.27 module under Go 1.27,
// without GODEBUG. Exactly the leaking tests fail, every time, each naming
// its one goroutine.
func TestCheckInAModule(t *testing.T) {
	// Go 1.27.3 is a 76 MB download and these runs take a minute or more:
	// they run when asked (.ci/run asks), and then a toolchain that cannot be
	// fetched is a failure, not a skip.
	if testing.Short() || os.Getenv("STACKDIFF_TOOLCHAINS") == "" {
		t.Skip("set STACKDIFF_TOOLCHAINS=1 to run: builds and runs a module's tests under two toolchains")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		goLine, toolchain string
		proven            bool // the runtime has the goroutineleak profile
	}{
		{"1.26.0", "go1.26.8", false},
		{"1.26.0", "go1.27.3", true},
		{"1.27.0", "go1.27.3", true},
	} {
		t.Run(fmt.Sprintf("go%s-module/%s", tc.goLine, tc.toolchain), func(t *testing.T) {
			env := moduleEnv(tc.toolchain)
			if out, err := goCommand(t, "", env, 60*time.Second, "version").CombinedOutput(); err != nil {
				t.Fatalf("toolchain %s cannot be run or fetched: %v\n%s", tc.toolchain, err, out)
			}
			dir := writeModule(t, root, tc.goLine)
			probe := filepath.Join(dir, "probe.txt")
			out, _ := goCommand(t, dir, append(env, "LEAKY_PROBE="+probe), 4*time.Minute, "test", "-json", "-count=10", ".").Output()
			checkModuleRun(t, out, tc.proven, readsHeaders(t, probe))
		})
	}
}

// moduleEnv is the environment of the module's go commands: this one's,
// with the toolchain chosen, no GODEBUG, no workspace, and go.sum filled in
// from the module cache.
func moduleEnv(toolchain string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GODEBUG", "GOTOOLCHAIN", "GOFLAGS", "GOWORK", "GOEXPERIMENT":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOTOOLCHAIN="+toolchain, "GOFLAGS=-mod=mod", "GOWORK=off")
}

func goCommand(t *testing.T, dir string, env []string, timeout time.Duration, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = dir, env
	return cmd
}

// writeModule writes the module into a temporary directory, using this
// repository through a replace directive.
func writeModule(t *testing.T, root, goLine string) string {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "checkmod", "leaky_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := fmt.Sprintf("module example.com/leaky\n\ngo %s\n\nrequire github.com/stackdiff/stackdiff v0.0.0\n\nreplace github.com/stackdiff/stackdiff => %s\n", goLine, root)
	for name, data := range map[string][]byte{"go.mod": []byte(mod), "go.sum": sum, "leaky_test.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testEvent is the part of go test -json's events the check reads.
type testEvent struct {
	Action, Test, Output string
}

// checkModuleRun reads the module's go test -json output: each leaky test
// fails in each of the 10 runs, naming its test and its one goroutine (and,
// where the runtime has the goroutineleak profile, the GC's proof for the
// leaks it can prove); every other test passes each time.
//
// Where parse cannot read the traceback headers of the run (Go 1.27 prints
// labels in them for go 1.27 modules, a form parse learns separately),
// Check reports from the goroutine profile's records, which have no wait
// states: then the states are not required.
func checkModuleRun(t *testing.T, out []byte, proven, headersRead bool) {
	t.Helper()
	results := map[string]map[string]int{} // test -> action -> count
	output := map[string]*strings.Builder{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e testEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Test == "" {
			continue
		}
		if output[e.Test] == nil {
			output[e.Test], results[e.Test] = &strings.Builder{}, map[string]int{}
		}
		output[e.Test].WriteString(e.Output)
		if e.Action == "pass" || e.Action == "fail" || e.Action == "skip" {
			results[e.Test][e.Action]++
		}
	}
	fail, pass := map[string]int{"fail": 10}, map[string]int{"pass": 10}
	want := map[string]map[string]int{
		"TestParallelLeaky": fail, "TestParallelClean": pass, "TestParallelCleanToo": pass,
		"TestSerialLeaky": fail, "TestSerialAfter": pass, "TestSerialGlobal": fail,
		"TestSerialAfterToo": pass,
		// A parent test fails with its subtest; its own Check passes.
		"TestSubtests": fail, "TestSubtests/clean": pass, "TestSubtests/leaky": fail,
		"TestSubtests/parallel": pass, "TestProbe": pass, "TestDiffAndFindProve": pass,
	}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Fatalf("results of 10 runs (-want +got):\n%s\noutput:\n%s", diff, out)
	}
	leaks := []struct {
		test, site, state string
		gcProves          bool
	}{
		{"TestParallelLeaky", "leaky.parkedSend", "chan send", true},
		{"TestSerialLeaky", "leaky.parkedRecv", "chan receive", true},
		{"TestSerialGlobal", "leaky.parkedOnGlobal", "chan receive", false},
		{"TestSubtests/leaky", "leaky.parkedSend", "chan send", true},
	}
	for _, l := range leaks {
		got := output[l.test].String()
		how := "1 goroutine that stayed"
		if proven && l.gcProves {
			how = "1 goroutine that the GC proved leaked"
		}
		wants := []string{"capture.Check: " + l.test + " (run " + l.test + "#", how, l.site, l.state}
		if !headersRead {
			wants = wants[:3]
		}
		for _, w := range wants {
			if n := strings.Count(got, w); n < 10 {
				t.Errorf("%s: %q appears %d times in 10 runs, want at least 10:\n%s", l.test, w, n, got)
			}
		}
	}
	for test, b := range output {
		// Its unlabelled leak has the stack of TestParallelLeaky's: a
		// report that names it took the wrong goroutine.
		if test != "TestDiffAndFindProve" && strings.Contains(b.String(), "TestDiffAndFindProve") {
			t.Errorf("%s reports TestDiffAndFindProve's goroutine:\n%s", test, b.String())
		}
		if strings.Contains(test, "Leaky") || test == "TestSerialGlobal" || test == "TestSubtests/leaky" {
			continue
		}
		if strings.Contains(b.String(), "capture.Check:") {
			t.Errorf("%s, which leaks nothing, has a Check failure:\n%s", test, b.String())
		}
	}
}

// readsHeaders reports whether parse reads every goroutine of the dump the
// module's TestProbe wrote (the traceback of a labelled test goroutine).
func readsHeaders(t *testing.T, probe string) bool {
	t.Helper()
	dump, err := os.ReadFile(probe)
	if err != nil {
		t.Fatalf("the module's probe wrote no dump: %v", err)
	}
	s, err := parse.Read(bytes.NewReader(dump), "probe")
	if err != nil {
		t.Fatal(err)
	}
	headers := len(regexp.MustCompile(`(?m)^goroutine \d+ \[`).FindAll(dump, -1))
	if s.Count() != headers {
		t.Logf("parse reads %d of the %d goroutines of this toolchain's labelled dump: Check reports from the goroutine profile, and wait states are not checked", s.Count(), headers)
		return false
	}
	return true
}
