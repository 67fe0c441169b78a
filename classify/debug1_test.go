package classify_test

import (
	"bytes"
	"io/fs"
	"runtime/pprof"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
	"github.com/stackdiff/stackdiff/samples/scenarios"
)

// profile takes a goroutine profile of this process at a debug level.
func profile(t *testing.T, name string, debug int) *parse.Snapshot {
	t.Helper()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, debug); err != nil {
		t.Fatal(err)
	}
	s, err := parse.Read(&b, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDebug1AgreesWithDebug2 runs leak scenarios for real and compares
// what stackdiff says of debug=1 profiles (no states, runtime frames
// hidden) with what it says of debug=2 dumps taken at the same moments:
// the same leak labels with the same counts.
func TestDebug1AgreesWithDebug2(t *testing.T) {
	for _, name := range []string{"http-body-not-closed", "unbuffered-send", "blocked-forever", "select-no-ctx", "mutex-deadlock", "waitgroup-no-done", "sleep-forever", "goroutine-lexer"} {
		t.Run(name, func(t *testing.T) {
			sc, ok := scenarios.Lookup(name)
			if !ok {
				t.Fatal("no such scenario")
			}
			if sc.Setup != nil {
				t.Cleanup(sc.Setup())
			}
			b1, b2 := profile(t, "before", 1), profile(t, "before", 2)
			t.Cleanup(sc.Run())
			a1, a2 := profile(t, "after", 1), profile(t, "after", 2)
			leaks := func(r *classify.Report) map[classify.Label]int {
				m := map[classify.Label]int{}
				for _, g := range r.Groups {
					if g.Verdict == classify.Leak {
						m[g.Label] += g.New
					}
				}
				return m
			}
			opts := &classify.Options{Sources: []fs.FS{classify.SourceDir("..")}}
			want := leaks(classify.Compare([]*parse.Snapshot{b2, a2}, opts))
			got := leaks(classify.Compare([]*parse.Snapshot{b1, a1}, opts))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("leaks of debug=1 profiles (-debug=2 +debug=1):\n%s", diff)
			}
			if want[classify.Label(sc.Want)] != sc.WantCount {
				t.Errorf("debug=2: %v, want %s ×%d", want, sc.Want, sc.WantCount)
			}
		})
	}
}
