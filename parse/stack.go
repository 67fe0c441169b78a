package parse

import (
	"bytes"
	"strconv"
	"strings"

	ppstack "github.com/maruel/panicparse/v2/stack"
)

// stack is the parsed body of a goroutine block.
type stack struct {
	frames    []Frame
	createdBy *Frame
	elided    int
}

// parseStack parses a normalized body (see block.add) into frames. It runs
// once per distinct stack, never per goroutine. The body is already
// normalized to "fn(...)" and "\tfile:line" lines, so splitting it is
// trivial; function names go through panicparse's stack.Func, which knows
// how the runtime escapes import paths ("gopkg.in/yaml%2ev2") and checks
// their shape. panicparse's full ScanSnapshot (regexps over every line, and
// with stack.DefaultOpts a scan of the local disk and O(n²) argument
// naming) cost 100 µs per stack: too much for dumps with thousands.
func parseStack(body []byte) stack {
	st := parseStackOwn(body)
	// The block counted the frames, and so the ones cut (block.totalElided).
	st.frames, _ = capFrames(st.frames)
	for i := range st.frames {
		st.frames[i].Func = funcName(st.frames[i].Func)
	}
	if st.createdBy != nil {
		st.createdBy.Func = funcName(st.createdBy.Func)
	}
	return st
}

// funcName returns the unescaped name of a function as panicparse reads
// it, or raw when panicparse rejects it (C functions, malformed names).
func funcName(raw string) (name string) {
	if !strings.Contains(raw, "%") {
		return raw // nothing to unescape: the common case
	}
	defer func() {
		// panicparse v2.5.0 panics on some malformed names (an escaped
		// name without a dot, such as "%000").
		if recover() != nil {
			name = raw
		}
	}()
	var f ppstack.Func
	if err := f.Init(raw); err != nil {
		return raw
	}
	return f.Complete
}

// parseStackOwn reads the normalized body directly: "fn(...)" lines, each
// followed by a "\tfile:line" line, then "created by fn" and its file line.
func parseStackOwn(body []byte) stack {
	var st stack
	var cur *Frame
	for len(body) > 0 {
		line, rest, _ := bytes.Cut(body, []byte("\n"))
		body = rest
		switch {
		case len(line) > 0 && line[0] == '\t':
			if cur != nil {
				cur.File, cur.Line = splitFileLine(line[1:])
				cur = nil
			}
		case bytes.HasPrefix(line, createdByPrefix):
			st.createdBy = &Frame{Func: string(line[len(createdByPrefix):])}
			cur = st.createdBy
		case bytes.HasSuffix(line, []byte("(...)")):
			st.frames = append(st.frames, Frame{Func: string(line[:len(line)-len("(...)")])})
			cur = &st.frames[len(st.frames)-1]
		}
	}
	return st
}

func splitFileLine(b []byte) (string, int) {
	i := bytes.LastIndexByte(b, ':')
	if i < 0 {
		return string(b), 0
	}
	n, err := strconv.Atoi(string(b[i+1:]))
	if err != nil {
		return string(b), 0
	}
	return string(b[:i]), n
}
