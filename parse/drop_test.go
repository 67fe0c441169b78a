package parse_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

// TestDropSaysWhatItTook: Drop is the one way to take goroutines out. It
// keeps counts and groups right, records how many and why, and says
// whether what is left stands for the whole process: the goroutines a
// caller does not want judged (whole=false) make it a part (Cut), those
// that only exist because the dump was taken (whole=true) do not.
func TestDropSaysWhatItTook(t *testing.T) {
	for _, whole := range []bool{true, false} {
		s := readOne(t, "generated/stack_mixed_states.txt")
		before, groups := s.Count(), len(s.Groups)
		// Take out the goroutines of the largest group, and one other.
		largest, other := s.Groups[0], s.Groups[len(s.Groups)-1].Members[0].ID
		want := largest.Count + 1
		n := s.Drop("planted", whole, func(g *parse.Group, m parse.Member) bool {
			return g == largest || m.ID == other
		})
		if n != want || s.Count() != before-want {
			t.Errorf("whole=%v: dropped %d, count %d → %d; want %d dropped", whole, n, before, s.Count(), want)
		}
		if len(s.Groups) > groups-1 {
			t.Errorf("whole=%v: %d groups left of %d; the emptied ones must go", whole, len(s.Groups), groups)
		}
		for _, g := range s.Groups {
			if g.Count != len(g.Members) || g.Count == 0 {
				t.Errorf("whole=%v: group with Count %d and %d members", whole, g.Count, len(g.Members))
			}
		}
		if s.Cut == whole {
			t.Errorf("whole=%v: Cut = %v", whole, s.Cut)
		}
		if diff := cmp.Diff([]string{"planted"}, whys(s.LeftOut)); diff != "" || s.LeftOut[0].Count != want {
			t.Errorf("whole=%v: LeftOut %+v, want %d planted", whole, s.LeftOut, want)
		}
		// Nothing to take: nothing recorded.
		if s.Drop("nothing", whole, func(*parse.Group, parse.Member) bool { return false }) != 0 || len(s.LeftOut) != 1 {
			t.Errorf("whole=%v: an empty drop left %+v", whole, s.LeftOut)
		}
	}
}

// TestDropWritersOfAFetchedDump: a debug=2 dump fetched over HTTP holds the
// pprof handler writing it; DropWriters takes it out, says so, and
// remembers its ID (the newest of the dump), and the dump still stands
// for its whole process.
func TestDropWritersOfAFetchedDump(t *testing.T) {
	s := readOne(t, "public/panicparse_static_panicweb_pprof_debug2.txt")
	before := s.Count()
	id := s.WriterID()
	n := s.DropWriters()
	if n == 0 || s.Count() != before-n || s.Cut {
		t.Fatalf("dropped %d of %d (now %d), Cut %v", n, before, s.Count(), s.Cut)
	}
	if len(s.LeftOut) != 1 || s.LeftOut[0].Why != parse.WhyWriter || s.LeftOut[0].Count != n || s.LeftOut[0].MaxID < id {
		t.Errorf("LeftOut %+v, want %d %q with MaxID ≥ %d", s.LeftOut, n, parse.WhyWriter, id)
	}
	if s.WriterID() != 0 {
		t.Errorf("a writer is left: %d", s.WriterID())
	}
}

func whys(v []parse.LeftOut) []string {
	var out []string
	for _, l := range v {
		out = append(out, l.Why)
	}
	return out
}
