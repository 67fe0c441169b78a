// Package lineage follows a goroutine's line of descent through a
// snapshot: the "created by … in goroutine N" links between the goroutines
// still there, and, where an ancestor has exited, the ancestry that
// GODEBUG=tracebackancestors=N puts in the dump. It tells which test a
// goroutine descends from, for package capture (whose test a leaked
// goroutine is) and package classify (the origin a report shows).
package lineage

import (
	"strings"

	"github.com/stackdiff/stackdiff/internal/display"
	"github.com/stackdiff/stackdiff/parse"
)

// Index holds the goroutines of one snapshot by ID.
type Index struct {
	s    *parse.Snapshot
	byID map[int64]node
	// lines remembers, for Origin, where each stop of a line leads.
	lines map[stop]*stretch
}

type node struct {
	g      *parse.Group
	parent int64
}

// New indexes the goroutines of s. The index stays valid when goroutines
// are removed from s afterwards.
func New(s *parse.Snapshot) *Index {
	x := &Index{s: s, byID: make(map[int64]node, s.Count())}
	for _, g := range s.Groups {
		for _, m := range g.Members {
			if m.ID != 0 {
				x.byID[m.ID] = node{g, m.ParentID}
			}
		}
	}
	return x
}

// Live reports whether goroutine id is in the snapshot.
func (x *Index) Live(id int64) bool {
	_, ok := x.byID[id]
	return ok
}

// Goroutine returns the stack and creator of a goroutine of the snapshot.
func (x *Index) Goroutine(id int64) (frames []parse.Frame, createdBy *parse.Frame, ok bool) {
	n, ok := x.byID[id]
	if !ok {
		return nil, nil, false
	}
	return n.g.Frames, n.g.CreatedBy, true
}

// HasAncestry reports whether the snapshot holds tracebackancestors
// sections.
func (x *Index) HasAncestry() bool { return x.s.HasAncestry() }

// MaxLine is the most ancestors [Index.Walk] visits for one goroutine; a
// longer line counts as not seen whole.
const MaxLine = 256

// Step is one ancestor met by [Index.Walk].
type Step struct {
	ID int64
	// Frames is the ancestor's stack when it started the next goroutine of
	// the line (from the ancestry), or, for a live ancestor reached by its
	// child's parent ID, its stack now.
	Frames    []parse.Frame
	CreatedBy *parse.Frame
	// Current is the ancestor's stack now when it is live, else nil.
	Current []parse.Frame
	// FromAncestry is set when the step comes from the ancestry sections.
	FromAncestry bool
}

// Walk calls visit for each ancestor of goroutine id, parent first, until
// visit returns false or the line ends. It prefers the ancestry the dump
// prints (the stacks at the moment each ancestor started the next
// goroutine) and follows parent IDs between live goroutines where there is
// none. It reports whether the whole line was seen: it reached a goroutine
// that nothing started (goroutine 1), rather than an ancestor that has
// exited and that no ancestry shows, or the ancestry's cap.
func (x *Index) Walk(id int64, visit func(Step) bool) (complete bool) {
	// Every goroutine of a report may be walked: a line longer than
	// MaxLine is not followed to its end, so that a dump of a long chain
	// of goroutines costs a bounded amount per goroutine, not its length.
	hops, each := MaxLine, visit
	visit = func(st Step) bool {
		hops--
		return hops >= 0 && each(st)
	}
	cur := id
	// Parent links form a tree in a real dump; a hand-made one may loop
	// (the hop limit ends that too).
	for budget := len(x.byID) + parse.MaxAncestors + 1; budget > 0; budget-- {
		if a := x.s.Ancestry[cur]; a != nil {
			last, ok := x.ancestrySteps(a, visit)
			if !ok {
				return false
			}
			if last.CreatedBy == nil && (last.ID == 1 || !x.Live(last.ID)) {
				return true // the runtime prints no creator for goroutine 1
			}
			if !x.Live(last.ID) {
				return false // cut by the cap, and exited
			}
			// The ancestry stopped at its cap on a live goroutine:
			// follow that one's own line.
			cur = last.ID
			if x.s.Ancestry[cur] == nil {
				if n := x.byID[cur]; n.parent == 0 {
					return n.g.CreatedBy == nil
				}
			}
			continue
		}
		n, ok := x.byID[cur]
		if !ok {
			return false
		}
		if n.parent == 0 {
			return n.g.CreatedBy == nil
		}
		p, ok := x.byID[n.parent]
		if !ok {
			return false // exited, and no ancestry says what it was
		}
		if !visit(Step{ID: n.parent, Frames: p.g.Frames, CreatedBy: p.g.CreatedBy, Current: p.g.Frames}) {
			return false
		}
		cur = n.parent
	}
	return false
}

// TestFunc returns the function a test goroutine runs for its test: the
// first function outside package testing under testing.tRunner (the test
// function, a subtest's function, or a cleanup function of the test), or
// a top-level Test function anywhere in the stack. It returns "" for the
// testing package's own runner goroutine.
func TestFunc(frames []parse.Frame) string {
	for i, f := range frames {
		if f.Func != "testing.tRunner" {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			if !strings.HasPrefix(frames[j].Func, "testing.") {
				return frames[j].Func
			}
		}
		break
	}
	for _, f := range frames {
		if IsTestFunc(f.Func) {
			return f.Func
		}
	}
	return ""
}

// IsTestFunc reports whether fn, a fully qualified function name, is a
// top-level test function: "example.com/m.TestFetchAll", not TestMain.
func IsTestFunc(fn string) bool {
	name := Short(fn)
	if name != fn[len(fn)-len(name):] || strings.Contains(name, ".") || name == "TestMain" {
		return false
	}
	rest, ok := strings.CutPrefix(name, "Test")
	return ok && (rest == "" || !('a' <= rest[0] && rest[0] <= 'z'))
}

// Short returns a function's name without its package path, and without
// the ".funcN" suffixes of closures: "example.com/m.TestFetchAll.func1"
// gives "TestFetchAll".
func Short(fn string) string {
	name, _ := display.TrimClosure(fn)
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// ancestrySteps visits the steps of an ancestry the runtime printed, in
// its order, and returns its last record, and false if visit stopped.
func (x *Index) ancestrySteps(a *parse.Ancestry, visit func(Step) bool) (last *parse.Ancestry, ok bool) {
	last = a
	for ; a != nil; a = a.Next {
		st := Step{ID: a.ID, Frames: a.Frames, CreatedBy: a.CreatedBy, FromAncestry: true}
		if n, ok := x.byID[a.ID]; ok {
			st.Current = n.g.Frames
		}
		if !visit(st) {
			return a, false
		}
		last = a
	}
	return last, true
}
