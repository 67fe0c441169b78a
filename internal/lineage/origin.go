package lineage

import "github.com/stackdiff/stackdiff/parse"

// Origin is where a goroutine's line starts, as far as the dump shows.
type Origin struct {
	// TestFunc is the function of the test the goroutine descends from
	// (see [TestFunc]), "" when no test goroutine is in its line.
	TestFunc string
	// Root is the stack of the oldest ancestor shown, when it started the
	// next goroutine of the line: from the ancestry, or only the creator
	// frame of its child when the dump has no ancestry for it.
	Root []parse.Frame
	// Complete is set when the whole line was seen.
	Complete bool
}

// Test returns the short name of the test ("TestFetchAll"), or "".
func (o Origin) Test() string {
	if o.TestFunc == "" {
		return ""
	}
	return Short(o.TestFunc)
}

// Origin follows the line of goroutine id up to the first test goroutine
// in it, or to its oldest ancestor shown. A goroutine that is itself a
// test goroutine is its own origin. The zero Origin means the goroutine has
// no ancestor in the dump.
//
// Lines are followed as [Index.Walk] follows them, but each stretch of a
// line is followed once for the whole index and remembered: the
// goroutines of one line share its stretches, so a dump that is one chain
// of a million goroutines costs a million steps, not a million walks.
// For the same reason no line is cut at MaxLine.
func (x *Index) Origin(id int64) Origin {
	frames, createdBy, ok := x.Goroutine(id)
	if ok {
		if fn := TestFunc(frames); fn != "" {
			return Origin{TestFunc: fn, Root: frames, Complete: true}
		}
	}
	r := x.follow(id, createdBy)
	o := Origin{TestFunc: r.testFunc, Root: r.root, Complete: r.complete}
	if o.TestFunc != "" {
		o.Complete = true
		return o
	}
	// The line ends at an ancestor that exited: its creator, printed in
	// the last goroutine reached, may still be a test function.
	if !o.Complete && r.createdBy != nil && IsTestFunc(r.createdBy.Func) {
		return Origin{TestFunc: r.createdBy.Func, Root: []parse.Frame{*r.createdBy}, Complete: true}
	}
	if !r.saw && !ok {
		return Origin{}
	}
	if !r.saw {
		o.Root = nil
	}
	return o
}

// stretch is what following a line from one goroutine found: from one
// stop of Walk's loop to the end of the line (memoised), or to the next
// stop (one part).
type stretch struct {
	testFunc  string
	root      []parse.Frame
	rootSet   bool
	saw       bool
	createdBy *parse.Frame // the creator last seen: the state carried on
	complete  bool
	// For one part only: done is set when the line ends within it, else
	// it goes on from goroutine next.
	done bool
	next int64
}

// stop is where a line is taken up again: a goroutine, with the creator
// seen last before it.
type stop struct {
	id        int64
	createdBy *parse.Frame
}

// follow returns the stretch from goroutine cur to the end of its line,
// createdBy being the creator seen last. The stops on the way are
// remembered; one met again on the way is a loop (only a hand-made dump
// has one), which ends the line there.
func (x *Index) follow(cur int64, createdBy *parse.Frame) stretch {
	if x.lines == nil {
		x.lines = map[stop]*stretch{}
	}
	var path []stop
	var parts []stretch
	var end stretch
	onPath := map[stop]bool{}
	for at := (stop{cur, createdBy}); ; {
		if r := x.lines[at]; r != nil {
			end = *r
			break
		}
		if onPath[at] {
			end = stretch{createdBy: at.createdBy}
			break
		}
		onPath[at] = true
		p := x.part(at.id, at.createdBy)
		path, parts = append(path, at), append(parts, p)
		if p.done {
			end = stretch{createdBy: p.createdBy, complete: p.complete}
			parts[len(parts)-1].done = false // its own fields are joined below
			break
		}
		at = stop{p.next, p.createdBy}
	}
	// Join the parts from the end: a later root or test replaces an
	// earlier one, as a walk in one go would.
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		r := end
		if !r.rootSet {
			r.root, r.rootSet = p.root, p.rootSet
		}
		if p.testFunc != "" {
			r = stretch{testFunc: p.testFunc, root: p.root, rootSet: p.rootSet, createdBy: p.createdBy}
		}
		r.saw = r.saw || p.saw
		x.lines[path[i]] = &r
		end = r
	}
	return end
}

// part follows the line from goroutine cur to the next stop of Walk's
// loop, with the visit of Origin: the ancestry sections printed for cur,
// or else its parent when live.
func (x *Index) part(cur int64, createdBy *parse.Frame) stretch {
	p := stretch{createdBy: createdBy}
	visit := func(st Step) bool {
		p.saw = true
		fn := TestFunc(st.Frames)
		if fn == "" && st.Current != nil {
			fn = TestFunc(st.Current)
		}
		// A child's creator names its parent's function: a test function
		// there is the test even when the parent's stack is cut.
		if fn == "" && p.createdBy != nil && IsTestFunc(p.createdBy.Func) {
			fn = p.createdBy.Func
		}
		if st.FromAncestry {
			p.root, p.rootSet = st.Frames, true
		} else if p.createdBy != nil {
			p.root, p.rootSet = []parse.Frame{*p.createdBy}, true
		}
		p.createdBy = st.CreatedBy
		if fn != "" {
			p.testFunc = fn
			return false
		}
		return true
	}
	end := func(complete bool) stretch {
		p.done, p.complete = true, complete
		return p
	}
	if a := x.s.Ancestry[cur]; a != nil {
		last, ok := x.ancestrySteps(a, visit)
		if !ok {
			return end(false)
		}
		if last.CreatedBy == nil && (last.ID == 1 || !x.Live(last.ID)) {
			return end(true) // the runtime prints no creator for goroutine 1
		}
		if !x.Live(last.ID) {
			return end(false) // cut by the cap, and exited
		}
		// The ancestry stopped at its cap on a live goroutine: follow that
		// one's own line.
		if x.s.Ancestry[last.ID] == nil {
			if n := x.byID[last.ID]; n.parent == 0 {
				return end(n.g.CreatedBy == nil)
			}
		}
		p.next = last.ID
		return p
	}
	n, ok := x.byID[cur]
	if !ok {
		return end(false)
	}
	if n.parent == 0 {
		return end(n.g.CreatedBy == nil)
	}
	pg, ok := x.byID[n.parent]
	if !ok {
		return end(false) // exited, and no ancestry says what it was
	}
	if !visit(Step{ID: n.parent, Frames: pg.g.Frames, CreatedBy: pg.g.CreatedBy, Current: pg.g.Frames}) {
		return end(false)
	}
	p.next = n.parent
	return p
}
