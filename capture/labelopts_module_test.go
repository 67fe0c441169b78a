package capture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLabelOptionsInAModule runs the tests of a module of its own
// (testdata/labelmod), which use IgnoreLabel and ByLabel from outside the
// package on goroutines labelled with pprof.Do: as a go 1.26 module under
// Go 1.26 and Go 1.27 (the labels come from the goroutine profile) and as
// a go 1.27 module under Go 1.27 (from the traceback headers, in 1.27's
// form), without GODEBUG.
func TestLabelOptionsInAModule(t *testing.T) {
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
		headers           bool
	}{
		{"1.26.0", "go1.26.8", false},
		{"1.26.0", "go1.27.3", false},
		{"1.27.0", "go1.27.3", true},
	} {
		t.Run(fmt.Sprintf("go%s-module/%s", tc.goLine, tc.toolchain), func(t *testing.T) {
			env := moduleEnv(tc.toolchain)
			if out, err := goCommand(t, "", env, 60*time.Second, "version").CombinedOutput(); err != nil {
				t.Fatalf("toolchain %s cannot be run or fetched: %v\n%s", tc.toolchain, err, out)
			}
			dir := writeLabelModule(t, root, tc.goLine)
			want := "WANT_HEADER_LABELS=0"
			if tc.headers {
				want = "WANT_HEADER_LABELS=1"
			}
			out, _ := goCommand(t, dir, append(env, want), 4*time.Minute, "test", "-json", "-count=1", ".").Output()
			got := map[string]string{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var e testEvent
				if json.Unmarshal(sc.Bytes(), &e) == nil && e.Test != "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip") {
					got[e.Test] = e.Action
				}
			}
			pass := map[string]string{
				"TestDiffByLabel": "pass", "TestDiffIgnoreLabel": "pass", "TestFindIgnoreLabel": "pass",
				"TestVerifyNoneIgnoreLabel": "pass", "TestHeaders": "pass",
			}
			if diff := cmp.Diff(pass, got); diff != "" {
				t.Errorf("the module's tests (-want +got):\n%s\noutput:\n%s", diff, out)
			}
		})
	}
}

// writeLabelModule writes testdata/labelmod as a module with go line
// goLine, using this repository through a replace directive.
func writeLabelModule(t *testing.T, root, goLine string) string {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "labelmod", "labelled_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := fmt.Sprintf("module example.com/labelled\n\ngo %s\n\nrequire github.com/stackdiff/stackdiff v0.0.0\n\nreplace github.com/stackdiff/stackdiff => %s\n", goLine, root)
	for name, data := range map[string][]byte{"go.mod": []byte(mod), "go.sum": sum, "labelled_test.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
