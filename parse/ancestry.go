package parse

import (
	"bytes"
	"strconv"
)

// With GODEBUG=tracebackancestors=N the runtime prints, after a
// goroutine's stack, the stacks of up to N of its ancestors, parent first:
//
//	[originating from goroutine 21]:
//	main.worker(...)
//		/app/main.go:174 +0x6e
//	created by main.start
//		/app/main.go:160 +0x8b
//	[originating from goroutine 1]:
//	main.main(...)
//		/app/main.go:79 +0x330
//
// Each section is the ancestor's stack at the moment it started the next
// goroutine of the line, so the line can be followed even when those
// ancestors have exited. It is no part of the goroutine's own stack and
// never of its group's signature: parse keeps it beside the groups, and
// only for dumps that have it.

// Bounds on the ancestry kept per goroutine.
const (
	// MaxAncestors is the number of ancestors kept per goroutine: the
	// nearest ones. The runtime prints as many as N asks.
	MaxAncestors = 100
	// MaxAncestorFrames is the number of frames kept per ancestor, the
	// runtime's own cap: past it, it prints "...additional frames elided...".
	MaxAncestorFrames = 50
)

// Ancestor is one goroutine of the line a goroutine descends from, as a
// "[originating from goroutine N]:" section shows it.
type Ancestor struct {
	ID int64
	// Frames are the ancestor's stack when it started the next goroutine
	// of the line, leaf first, at most MaxAncestorFrames of them.
	Frames []Frame
	// CreatedBy is the go statement that started the ancestor; nil for
	// goroutine 1, for which the runtime prints none.
	CreatedBy *Frame
	// Elided is set when frames were left out, by the runtime or by
	// MaxAncestorFrames.
	Elided bool
}

// Ancestry is the ancestry of one goroutine: its parent, then Next, the
// parent's own ancestry as the runtime recorded it for this goroutine. The
// goroutines started by one goroutine from one place, and the descendants
// of one line, share their common tail: a million goroutines do not hold a
// million copies of the same ancestors.
type Ancestry struct {
	Ancestor
	Next *Ancestry // nil after the last ancestor printed
}

// Ancestors returns the ancestry of goroutine id as the dump prints it
// with GODEBUG=tracebackancestors=N: its parent first, then the parent's
// parent, and so on, at most MaxAncestors. It returns nil when the dump
// shows none for that goroutine.
func (s *Snapshot) Ancestors(id int64) []Ancestor {
	var out []Ancestor
	for a := s.Ancestry[id]; a != nil; a = a.Next {
		out = append(out, a.Ancestor)
	}
	return out
}

// HasAncestry reports whether the dump shows the ancestry of any of its
// goroutines.
func (s *Snapshot) HasAncestry() bool { return len(s.Ancestry) > 0 }

// ancestryBuilder interns the ancestries of one snapshot: the stacks of the
// sections by their text, the links by ancestor ID, stack and tail.
type ancestryBuilder struct {
	bodies map[string]*ancBody
	nodes  map[ancKey]*Ancestry
}

type ancBody struct {
	frames    []Frame
	createdBy *Frame
	elided    bool
}

type ancKey struct {
	id   int64
	body *ancBody
	next *Ancestry
}

// ancestryLine records one line of a block's ancestry sections in a
// normalized form, within the bounds: "@N" starts a section, "fn" is a
// frame's function, "\tfile:line" its file, "+fn" the creator, "..." an
// elision.
func (g *block) ancestryLine(line []byte) {
	line = trimIndent(line)
	if rest, ok := bytes.CutPrefix(line, originatingFrom); ok {
		g.ancFile = false
		if g.ancestors == MaxAncestors {
			g.ancFull = true
			return
		}
		id, err := strconv.ParseInt(string(bytes.TrimSuffix(rest, []byte("]:"))), 10, 64)
		if err != nil {
			g.ancFull = true // a section without an ID ends what can be followed
			return
		}
		g.ancestors++
		g.ancFrames = 0
		g.anc = append(g.anc, '@')
		g.anc = strconv.AppendInt(g.anc, id, 10)
		g.anc = append(g.anc, '\n')
		return
	}
	if g.ancFull || g.ancestors == 0 {
		return
	}
	switch {
	case bytes.HasPrefix(line, createdByPrefix):
		name := line[len(createdByPrefix):]
		if i := bytes.Index(name, inGoroutine); i >= 0 {
			name = name[:i]
		}
		g.anc = append(g.anc, '+')
		g.anc = append(g.anc, name...)
		g.anc = append(g.anc, '\n')
		g.ancFile = true
	case bytes.Equal(line, additionalElided):
		g.anc = append(g.anc, "...\n"...)
	case funcParen(line) > 0:
		g.ancFile = false
		if g.ancFrames == MaxAncestorFrames {
			if !bytes.HasSuffix(g.anc, []byte("...\n")) {
				g.anc = append(g.anc, "...\n"...)
			}
			return
		}
		g.ancFrames++
		g.anc = append(g.anc, line[:funcParen(line)]...)
		g.anc = append(g.anc, '\n')
		g.ancFile = true
	case g.ancFile && bytes.LastIndexByte(line, ':') > 0:
		g.anc = append(g.anc, '\t')
		g.anc = append(g.anc, fileLine(line)...)
		g.anc = append(g.anc, '\n')
		g.ancFile = false
	}
}

// addAncestry files the ancestry text of goroutine id (see ancestryLine).
func (b *builder) addAncestry(id int64, text []byte) {
	a := b.ancestry
	if a == nil {
		a = &ancestryBuilder{bodies: map[string]*ancBody{}, nodes: map[ancKey]*Ancestry{}}
		b.ancestry = a
		b.snap.Ancestry = map[int64]*Ancestry{}
	}
	// Cut the text into sections and link them from the last one, so that
	// each tail is interned before the links that point to it.
	var starts []int
	for i := 0; i < len(text); {
		if text[i] == '@' {
			starts = append(starts, i)
		}
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	var next *Ancestry
	end := len(text)
	for k := len(starts) - 1; k >= 0; k-- {
		sec := text[starts[k]:end]
		end = starts[k]
		head, body, _ := bytes.Cut(sec, []byte("\n"))
		anID, _ := strconv.ParseInt(string(head[1:]), 10, 64)
		bd := a.bodies[string(body)]
		if bd == nil {
			bd = parseAncestorBody(body)
			a.bodies[string(body)] = bd
		}
		key := ancKey{anID, bd, next}
		n := a.nodes[key]
		if n == nil {
			n = &Ancestry{Ancestor{ID: anID, Frames: bd.frames, CreatedBy: bd.createdBy, Elided: bd.elided}, next}
			a.nodes[key] = n
		}
		next = n
	}
	if next != nil {
		b.snap.Ancestry[id] = next
	}
}

// parseAncestorBody reads the normalized lines of one section.
func parseAncestorBody(body []byte) *ancBody {
	bd := &ancBody{}
	var cur *Frame
	for len(body) > 0 {
		line, rest, _ := bytes.Cut(body, []byte("\n"))
		body = rest
		switch {
		case len(line) == 0:
		case line[0] == '\t':
			if cur != nil {
				cur.File, cur.Line = splitFileLine(line[1:])
				cur = nil
			}
		case line[0] == '+':
			bd.createdBy = &Frame{Func: funcName(string(line[1:]))}
			cur = bd.createdBy
		case string(line) == "...":
			bd.elided = true
			cur = nil
		default:
			bd.frames = append(bd.frames, Frame{Func: funcName(string(line))})
			cur = &bd.frames[len(bd.frames)-1]
		}
	}
	return bd
}
