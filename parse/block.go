package parse

import (
	"bytes"
	"strconv"
)

// block collects the lines of one goroutine. Its key is the goroutine's
// signature as text with everything that varies between identical
// goroutines removed (arguments, PC offsets, frame pointers, parent IDs),
// so that only the first goroutine of each distinct stack is parsed.
type block struct {
	h         header
	key       []byte // state, flags, then the normalized body
	bodyStart int
	parent    int64
	elided    int
	// Lines of "[originating from goroutine N]:" sections
	// (GODEBUG=tracebackancestors) belong to this goroutine but not to its
	// stack: they go to anc, normalized (see ancestryLine), never to key.
	inAncestors bool
	anc         []byte
	ancestors   int  // sections kept
	ancFrames   int  // frames kept in the current section
	ancFile     bool // a kept function line waits for its file line
	ancFull     bool // past MaxAncestors: the rest is skipped
	unavailable bool
	frames      int  // function lines seen
	pendingFile bool // a function line still waits for its file line
	skip        bool // a repeat of a goroutine already in the snapshot
	// indented is set for a header that did not start its line: it is
	// admitted into the snapshot only once it shows a stack (a log line
	// quoting a header is no goroutine).
	indented bool
	// wrapped counts the lines of an argument list that a paste wrapped
	// onto further lines, while its closing parenthesis is awaited.
	wrapped int
	// created is 1 after the "created by" line, 2 after its file line
	// with a PC offset: the last line of a goroutine, so the stack is whole.
	created int8
}

func (g *block) reset(h header) {
	*g = block{h: h, key: g.key[:0]}
	g.key = append(g.key, h.state...)
	if h.leaked {
		g.key = append(g.key, " (leaked)"...)
	}
	g.key = append(g.key, '\n')
	g.bodyStart = len(g.key)
}

func (g *block) truncated() bool { return g.pendingFile }

// headerOnly reports whether nothing the runtime prints under a header
// came: no frame, no "created by" line, no "stack unavailable", no
// ancestry.
func (g *block) headerOnly() bool {
	return g.frames == 0 && g.created == 0 && !g.unavailable && !g.inAncestors
}

// idText is the goroutine's ID as the dump printed it.
func (g *block) idText() string { return g.h.idText() }

// totalElided is the runtime's count of elided frames plus the frames cut
// beyond MaxFrames when the stack is parsed.
func (g *block) totalElided() int {
	return addElided(g.elided, max(0, g.frames-MaxFrames))
}

var (
	createdByPrefix  = []byte("created by ")
	inGoroutine      = []byte(" in goroutine ")
	originatingFrom  = []byte("[originating from goroutine ")
	unavailableLine  = []byte("goroutine running on other thread; stack unavailable")
	elidedSuffix     = []byte(" frames elided...")
	pcOffset         = []byte(" +0x")
	framePointer     = []byte(" fp=")
	additionalElided = []byte("...additional frames elided...")
)

// add appends one body line and reports whether it belonged to the block.
// A line that is no part of a stack ends the block.
func (g *block) add(line []byte) bool {
	if g.inAncestors {
		g.ancestryLine(line)
		return true
	}
	trimmed := trimIndent(line)
	indented := len(trimmed) < len(line)
	// The two lines of every frame come first: they are nearly all lines.
	if !indented {
		if i := funcParen(trimmed); i > 0 {
			g.key = append(g.key, trimmed[:i]...)
			g.key = append(g.key, "(...)\n"...)
			g.frames++
			g.pendingFile = true
			return true
		}
	}
	if g.wrapped > 0 {
		if !(indented && isFileLine(trimmed)) {
			g.wrapped++
			if n := len(trimmed); n > 0 && trimmed[n-1] == ')' || g.wrapped > maxWrapped {
				g.wrapped = 0
			}
			return true
		}
		g.wrapped = 0 // the list never closed: the file line is next
	}
	switch {
	case bytes.HasPrefix(trimmed, originatingFrom):
		g.inAncestors = true
		g.pendingFile = false
		g.ancestryLine(trimmed)
		return true
	case indented && g.pendingFile && bytes.LastIndexByte(trimmed, ':') > 0,
		g.pendingFile && isSourceLine(trimmed):
		// The file line, indented by a tab; or, in a paste that lost its
		// indentation, one that names a source file.
		file := fileLine(trimmed)
		if i := bytes.Index(trimmed, pcOffset); g.created == 1 && i >= 0 && i+len(pcOffset) < len(trimmed) {
			g.created = 2 // its PC offset is there: nothing of use can follow
		}
		g.key = append(g.key, '\t')
		g.key = append(g.key, file...)
		g.key = append(g.key, '\n')
		g.pendingFile = false
		return true
	case bytes.HasPrefix(trimmed, createdByPrefix):
		name := trimmed
		if i := bytes.Index(name, inGoroutine); i >= 0 {
			if id, err := strconv.ParseInt(string(name[i+len(inGoroutine):]), 10, 64); err == nil {
				g.parent = id
			}
			name = name[:i]
		}
		g.key = append(g.key, name...)
		g.key = append(g.key, '\n')
		g.pendingFile = true
		g.created = 1
		return true
	case bytes.Equal(trimmed, additionalElided):
		g.elided = -1
		g.key = append(g.key, trimmed...)
		g.key = append(g.key, '\n')
		return true
	case bytes.HasPrefix(trimmed, []byte("...")) && bytes.HasSuffix(trimmed, elidedSuffix):
		if n, err := strconv.Atoi(string(trimmed[3 : len(trimmed)-len(elidedSuffix)])); err == nil {
			g.elided += n
		}
		g.key = append(g.key, "...N frames elided...\n"...)
		return true
	case bytes.HasPrefix(trimmed, unavailableLine):
		g.unavailable = true
		return true
	case funcParen(trimmed) > 0:
		// An indented function line (a dump quoted with its own indent).
		g.key = append(g.key, trimmed[:funcParen(trimmed)]...)
		g.key = append(g.key, "(...)\n"...)
		g.frames++
		g.pendingFile = true
		return true
	case !g.pendingFile && funcOpen(trimmed) > 0:
		// "pkg.fn(0x1, 0x2," with the rest of its arguments on the next
		// line: an argument list wrapped by a paste.
		g.key = append(g.key, trimmed[:funcOpen(trimmed)]...)
		g.key = append(g.key, "(...)\n"...)
		g.frames++
		g.pendingFile = true
		g.wrapped = 1
		return true
	}
	return false
}

// maxWrapped bounds the lines one wrapped argument list may take.
const maxWrapped = 8

// funcOpen returns the index of the '(' that opens an argument list not
// closed on its line ("pkg.fn(0x1, 0x2,"), or -1: a name without spaces,
// the '(' and no ')' after it.
func funcOpen(line []byte) int {
	i := bytes.IndexByte(line, '(')
	for i > 0 && i+1 < len(line) && line[i+1] == '*' {
		// "pkg.(*T).m(": the receiver's parentheses are part of the name.
		j := bytes.IndexByte(line[i+1:], '(')
		if j < 0 {
			return -1
		}
		i += 1 + j
	}
	if i <= 0 || bytes.IndexByte(line[:i], ' ') >= 0 || bytes.IndexByte(line[i:], ')') >= 0 {
		return -1
	}
	return i
}

// isFileLine reports whether a trimmed line looks like "/src/x.go:12...".
func isFileLine(b []byte) bool {
	f := fileLine(b)
	i := bytes.LastIndexByte(f, ':')
	return i > 0 && i+1 < len(f) && f[i+1] >= '0' && f[i+1] <= '9'
}

// isSourceLine reports whether a file line without its indent names a
// source file ("dir/f.go:12 +0x1d"): strict, since it is told from a
// function line by its text alone.
func isSourceLine(b []byte) bool {
	if !isFileLine(b) {
		return false
	}
	f := fileLine(b)
	i := bytes.LastIndexByte(f, ':')
	path, line := f[:i], f[i+1:]
	if bytes.IndexByte(path, ' ') >= 0 || len(bytes.TrimLeft(line, "0123456789")) > 0 {
		return false // a log line naming a file ("E0501 10:00:00 1 server.go:12] err")
	}
	return bytes.HasSuffix(path, []byte(".go")) || bytes.HasSuffix(path, []byte(".s")) || bytes.HasSuffix(path, []byte(".c"))
}

// funcParen returns the index of the '(' that opens the arguments when line
// looks like "pkg.fn(args)" (a name without spaces, then the argument
// list), and -1 otherwise. Arguments hold no parentheses ("{0x1, 0x2}",
// "...", "0x0?"), so the last '(' opens them.
func funcParen(line []byte) int {
	n := len(line)
	if n < 3 || line[n-1] != ')' {
		return -1
	}
	i := bytes.LastIndexByte(line, '(')
	if i <= 0 || bytes.IndexByte(line[:i], ' ') >= 0 {
		return -1
	}
	return i
}

// trimIndent drops leading spaces and tabs (bytes.TrimLeft builds a set
// on every call; this runs for every line of a dump).
func trimIndent(b []byte) []byte {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return b[i:]
}

// fileLine cuts "/src/x.go:12 +0x1d fp=0x... sp=0x..." to "/src/x.go:12".
// The last colon starts the line number (fp=, sp= and pc= use '='), so one
// scan from the end does it; lines of another shape keep the slower cuts.
func fileLine(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ':'); i > 0 {
		j := i + 1
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j > i+1 && (j == len(b) || b[j] == ' ') {
			return b[:j]
		}
	}
	if i := bytes.Index(b, pcOffset); i >= 0 {
		b = b[:i]
	}
	if i := bytes.Index(b, framePointer); i >= 0 {
		b = b[:i]
	}
	return b
}
