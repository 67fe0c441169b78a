package samples_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/parse"
)

// toolchain127 is the Go 1.27 release the go127 generator is run with.
const toolchain127 = "go1.27.3"

// TestGo127Live runs the go127 generator (a go 1.27 module) under Go 1.27
// and reads what it prints now, so that a change of the runtime's header
// format shows here before it reaches users: every goroutine is read, with
// its labels, and no warning.
func TestGo127Live(t *testing.T) {
	// Go 1.27.3 is a 76 MB download and these runs take a minute or more:
	// they run when asked (.ci/run asks), and then a toolchain that cannot be
	// fetched is a failure, not a skip.
	if testing.Short() || os.Getenv("STACKDIFF_TOOLCHAINS") == "" {
		t.Skip("set STACKDIFF_TOOLCHAINS=1 to run: builds and runs a program with Go 1.27")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	probe := exec.CommandContext(ctx, "go", "version")
	probe.Env = append(probe.Environ(), "GOTOOLCHAIN="+toolchain127)
	if out, err := probe.CombinedOutput(); err != nil {
		t.Fatalf("Go toolchain %s cannot be fetched or run here: %v\n%s", toolchain127, err, out)
	}
	for _, tc := range []struct {
		mode   string
		count  int
		leaked int
	}{
		{"stack", 19, 0},
		{"leak2", 19, 10},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, "go", "run", "-trimpath", ".", "-mode", tc.mode)
			cmd.Dir = "go127"
			cmd.Env = append(cmd.Environ(), "GOTOOLCHAIN="+toolchain127)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go run: %v\n%s", err, stderr.Bytes())
			}
			if !bytes.Contains(out, []byte("] {endpoint: /api/export, tenant: acme}:")) {
				t.Errorf("the Go 1.27 dump carries no labels in Go 1.27's form:\n%s", out)
			}
			snaps, err := parse.ReadAll(bytes.NewReader(out), tc.mode)
			if err != nil || len(snaps) != 1 {
				t.Fatalf("ReadAll: %d snapshots, %v", len(snaps), err)
			}
			s := snaps[0]
			if s.Count() != tc.count || len(s.Warnings) > 0 {
				t.Errorf("%d goroutines, warnings %q; want %d, none", s.Count(), s.Warnings, tc.count)
			}
			labelled, leaked := 0, 0
			for _, g := range s.Groups {
				if g.Leaked {
					leaked += g.Count
				}
				for _, ls := range g.LabelSets {
					labelled += ls.Count
				}
			}
			// 7 label sets on 2 goroutines each, and 3 more goroutines.
			if labelled != 17 || leaked != tc.leaked {
				t.Errorf("%d goroutines with labels, %d leaked; want 17, %d", labelled, leaked, tc.leaked)
			}
		})
	}
}
