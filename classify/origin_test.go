package classify_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// TestNewnessPerOrigin compares dumps of two processes (no shared IDs):
// goroutines that only moved between groups of one origin are not new.
func TestNewnessPerOrigin(t *testing.T) {
	const creator = "example.com/app.start app/start.go:1"
	waiting := func(n int) g {
		return g{n, "chan receive", []string{"example.com/app.worker app/worker.go:10"}, creator}
	}
	sleeping := func(n int) g {
		return g{n, "sleep", []string{"time.Sleep runtime/time.go:1", "example.com/app.handle app/worker.go:30", "example.com/app.worker app/worker.go:12"}, creator}
	}
	sending := func(n int) g {
		return g{n, "chan send", []string{"example.com/app.report app/worker.go:40", "example.com/app.worker app/worker.go:14"}, creator}
	}
	other := g{1, "select", []string{"example.com/app.loop app/loop.go:5"}, "example.com/app.main app/main.go:1"}
	tests := []struct {
		name          string
		before, after []g
		want          map[string]int // label -> New
		leaks         []string
	}{
		{
			name:   "workers moved from waiting to sleeping",
			before: []g{waiting(3), other},
			after:  []g{sleeping(3), other},
			want:   map[string]int{"chan-receive": 0, "sleep": 0, "select": 0},
		},
		{
			name:   "the origin gained three: the group that grew has them",
			before: []g{waiting(3), other},
			after:  []g{waiting(2), sleeping(4), other},
			want:   map[string]int{"chan-receive": 0, "sleep": 3, "select": 0},
			leaks:  []string{"sleep"},
		},
		{
			name:   "a gain of two shared by two groups that grew by three",
			before: []g{waiting(4), other},
			after:  []g{sleeping(3), sending(3), other},
			want:   map[string]int{"chan-receive": 0, "sleep": 1, "chan-send": 1, "select": 0},
			leaks:  []string{"chan-send", "sleep"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, "before", 1, tt.before...)
			after := dump(t, "after", 1000, tt.after...)
			r := classify.Compare([]*parse.Snapshot{before, after}, nil)
			if r.SameProcess {
				t.Fatal("two processes taken for one")
			}
			got := map[string]int{}
			var leaks []string
			for _, g := range r.Groups {
				got[string(g.Label)] += g.New
				if g.Verdict == classify.Leak {
					leaks = append(leaks, string(g.Label))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("new per label (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.leaks, leaks); diff != "" {
				t.Errorf("leak groups (-want +got):\n%s", diff)
			}
			if r.Summary.New != r.Summary.Goroutines[1]-r.Summary.Goroutines[0] && r.Summary.Goroutines[1] > r.Summary.Goroutines[0] {
				t.Errorf("summary.new = %d, want the growth %d", r.Summary.New, r.Summary.Goroutines[1]-r.Summary.Goroutines[0])
			}
		})
	}
}
