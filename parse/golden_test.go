package parse_test

import (
	"encoding/json"
	"flag"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenFiles are rendered to testdata/golden/NAME.json: one file of each
// format, and the text dumps whose reading is the most involved.
var goldenFiles = []string{
	"generated/stack_mixed_states.txt",
	"generated/sigquit_gotraceback_crash.txt",
	"generated/stack_tracebackancestors.txt",
	"generated/goroutineleak_debug2.txt",
	"generated/pprof_goroutine_debug1.txt",
	"generated/pprof_goroutine_debug0.pb.gz",
	"generated/goleak_verifynone_test_failure.txt",
	"generated/race_report.txt",
	"generated/go_test_timeout_panic.txt",
	"generated/derived_kubectl_timestamps_panic.txt",
}

type goldenSnapshot struct {
	Name     string        `json:"name"`
	Format   parse.Format  `json:"format"`
	Warnings []string      `json:"warnings"`
	Event    *goldenEvent  `json:"event,omitempty"`
	Groups   []goldenGroup `json:"groups"`
}

type goldenEvent struct {
	Kind      parse.EventKind `json:"kind"`
	Message   string          `json:"message"`
	Goroutine int64           `json:"goroutine"`
	Tests     []string        `json:"tests,omitempty"`
}

type goldenGroup struct {
	Key         string           `json:"key"`
	State       string           `json:"state"`
	Leaked      bool             `json:"leaked"`
	Frames      []goldenFrame    `json:"frames"`
	CreatedBy   *goldenFrame     `json:"created_by"`
	Count       int              `json:"count"`
	IDs         []int64          `json:"ids"`
	Elided      int              `json:"elided,omitempty"`
	Unavailable bool             `json:"unavailable,omitempty"`
	LabelSets   []goldenLabelSet `json:"label_sets,omitempty"`
}

// goldenFrame and goldenLabelSet fix the golden files' spelling here: the
// parse types carry no JSON tags (the CLI's schema is internal/report's).
type goldenFrame struct {
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type goldenLabelSet struct {
	Labels map[string]string `json:"labels"`
	Count  int               `json:"count"`
}

func goldenFrames(fs []parse.Frame) []goldenFrame {
	if fs == nil {
		return nil
	}
	out := make([]goldenFrame, len(fs))
	for i, f := range fs {
		out[i] = goldenFrame{f.Func, f.File, f.Line}
	}
	return out
}

func render(snaps []*parse.Snapshot) []byte {
	var out []goldenSnapshot
	for _, s := range snaps {
		gs := goldenSnapshot{Name: s.Name, Format: s.Format, Warnings: s.Warnings}
		if gs.Warnings == nil {
			gs.Warnings = []string{}
		}
		if e := s.Event; e != nil {
			gs.Event = &goldenEvent{Kind: e.Kind, Message: e.Message, Goroutine: e.Goroutine, Tests: e.Tests}
		}
		for _, g := range s.Groups {
			gg := goldenGroup{
				Key: g.Key, State: g.State, Leaked: g.Leaked, Frames: goldenFrames(g.Frames),
				Count: g.Count, IDs: g.IDs(), Elided: g.Elided, Unavailable: g.Unavailable,
			}
			if c := g.CreatedBy; c != nil {
				gg.CreatedBy = &goldenFrame{c.Func, c.File, c.Line}
			}
			for _, ls := range g.LabelSets {
				gg.LabelSets = append(gg.LabelSets, goldenLabelSet{ls.Labels, ls.Count})
			}
			gs.Groups = append(gs.Groups, gg)
		}
		out = append(out, gs)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

func TestGolden(t *testing.T) {
	for _, name := range goldenFiles {
		t.Run(path.Base(name), func(t *testing.T) {
			snaps, err := readAllFile(name)
			if err != nil {
				t.Fatal(err)
			}
			got := render(snaps)
			base, _, _ := strings.Cut(path.Base(name), ".")
			file := filepath.Join("testdata", "golden", base+".json")
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", name, file, diff)
			}
		})
	}
}
