package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stackdiff/stackdiff/samples/scenarios"
)

// TestSampleDumps runs stackdiff on every committed sample pair, as the
// README's first command does, from the repository root (so that the
// samples' sources are found for timers and tickers): leaky scenarios exit 1
// with their label and count, fixed ones exit 0.
func TestSampleDumps(t *testing.T) {
	t.Chdir("../..")
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			dir := "samples/dumps/" + sc.Name + "/"
			var stdout, stderr bytes.Buffer
			code := run([]string{"--json", dir + "before.txt", dir + "after.txt"}, nil, &stdout, &stderr)
			if stderr.Len() > 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			want := 0
			if sc.Leaks {
				want = 1
			}
			if code != want {
				t.Errorf("exit %d, want %d", code, want)
			}
			var rep struct {
				Groups []struct {
					Label   string
					Verdict string
					New     int
				}
			}
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			leaked := map[string]int{}
			for _, g := range rep.Groups {
				if g.Verdict == "leak" {
					leaked[g.Label] += g.New
				}
			}
			if sc.Leaks && leaked[sc.Want] != sc.WantCount {
				t.Errorf("leaked %v, want %s ×%d", leaked, sc.Want, sc.WantCount)
			}
		})
	}
}
