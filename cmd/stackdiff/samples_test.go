package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
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

// firstRows is how many rows of a single dump's table count as its first
// screen for TestSigquitFirstScreen: the culprit must be read first, not
// found by scrolling.
const firstRows = 3

// TestSigquitFirstScreen reads each scenario's SIGQUIT crash dump alone, as
// "./app 2>&1 | stackdiff" and Ctrl-\ would: no baseline, no (leaked)
// marks. A leaky scenario's group (its Want label) must be among the first
// rows of the table, and no group of a fixed scenario may be called a leak.
func TestSigquitFirstScreen(t *testing.T) {
	t.Chdir("../..")
	for _, sc := range scenarios.All {
		t.Run(sc.Name, func(t *testing.T) {
			file := "samples/dumps/" + sc.Name + "/sigquit.txt"
			var stdout, stderr bytes.Buffer
			if code := run([]string{"--json", file}, nil, &stdout, &stderr); code != 0 {
				t.Errorf("exit %d, want 0 (one dump proves no leak); stderr: %s", code, stderr.String())
			}
			var rep struct{ Groups []rankedGroup }
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			var rows []string
			for i, g := range rep.Groups {
				if g.Verdict == "leak" {
					t.Errorf("group %s is a leak in a single dump", g.Label)
				}
				if i > 0 && g.Verdict == rep.Groups[i-1].Verdict && g.Suspicion > rep.Groups[i-1].Suspicion {
					t.Errorf("row %d (%s, suspicion %d) ranks below a less suspect one (%d)", i+1, g.Label, g.Suspicion, rep.Groups[i-1].Suspicion)
				}
				rows = append(rows, g.Label)
			}
			if !sc.Leaks {
				return
			}
			top := rows[:min(firstRows, len(rows))]
			if !slices.Contains(top, sc.Want) {
				t.Errorf("%s is not on the first screen: first rows %v", sc.Want, top)
			}
			// A leak on a channel, a lock or a WaitGroup stops a small
			// program: nothing else waits on the network, a sleep or a
			// syscall, so the dump alone flags it (a stopped process). A
			// server keeps waiting on its connections: its dump alone
			// cannot tell a handler's leftover from work in progress.
			live := slices.ContainsFunc(rep.Groups, func(g rankedGroup) bool { return g.Label == "http-server-conn" })
			if syncWait[sc.Want] && !live && !slices.ContainsFunc(rep.Groups, func(g rankedGroup) bool {
				return g.Label == sc.Want && g.Verdict == "suspect"
			}) {
				t.Errorf("%s is on the first screen but not flagged", sc.Want)
			}
			var text bytes.Buffer
			run([]string{"--color", "never", file}, nil, &text, &stderr)
			if !strings.Contains(firstTableRows(text.String(), firstRows), " "+sc.Want+" ") {
				t.Errorf("text report: %s not in the first %d rows of the table:\n%s", sc.Want, firstRows, text.String())
			}
		})
	}
}

// rankedGroup is what TestSigquitFirstScreen reads of a JSON group.
type rankedGroup struct {
	Label     string
	Verdict   string
	Counts    []int
	Suspicion int
}

// syncWait are the labels of waits only another goroutine can end.
var syncWait = map[string]bool{
	"chan-send": true, "chan-receive": true, "select": true, "mutex-lock": true,
	"waitgroup": true, "cond-wait": true, "io-pipe": true, "context-never-cancelled": true,
}

// firstTableRows returns the first n rows after the table's header line.
func firstTableRows(report string, n int) string {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "VERDICT ") {
			return strings.Join(lines[i+1:min(len(lines), i+1+n)], "\n")
		}
	}
	return ""
}
