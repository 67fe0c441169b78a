package parse

import "bytes"

// rawBodies keeps the bodies of a chunk's blocks, as printed, with what
// lexing them gave: in a big dump most goroutines repeat, byte for byte,
// the body of one before (same stack, same arguments), and such a body
// needs no lexing. It gives up on a chunk whose bodies rarely repeat
// (arguments that differ in every goroutine): there, looking them up only
// costs.
//
// Bodies are found by their first line, then compared whole: a
// comparison runs at memory speed and stops at the first byte that
// differs, where framing the body (finding the blank line after it) and
// hashing it would each read every byte.
type rawBodies struct {
	byFirst      map[string][]*rawBody
	kept         int
	tries, found int
	off          bool
}

// rawBody is what lexing a body gave: the block without its header, the
// state part of its key, and its index in the chunk's keys.
type rawBody struct {
	body   []byte // in the chunk's data: the lines, each with its newline
	g      block  // g.key is nil
	prefix []byte
	k      int32
}

// Bounds of rawBodies: the bodies kept, the bodies kept under one first
// line, the longest body kept, and the lookups after which too few found
// turn it off.
const (
	maxRawBodies   = 256
	maxRawPerFirst = 8
	maxRawBody     = 16 << 10
	rawTrial       = 64
)

// find returns the body lexed before that data[pos:] starts with, under a
// header whose state part of the key is prefix, and the offset after the
// blank line that ends it.
func (r *rawBodies) find(data []byte, pos int, prefix []byte) (*rawBody, int, bool) {
	if r.off || len(r.byFirst) == 0 {
		return nil, 0, false
	}
	rest := data[pos:]
	nl := bytes.IndexByte(rest[:min(len(rest), maxRawBody)], '\n')
	if nl <= 0 {
		return nil, 0, false
	}
	for _, saved := range r.byFirst[string(rest[:nl])] {
		n := len(saved.body)
		if n < len(rest) && rest[n] == '\n' && bytes.Equal(rest[:n], saved.body) && bytes.Equal(saved.prefix, prefix) {
			return saved, pos + n + 1, true
		}
	}
	return nil, 0, false
}

// recall fills g, whose header is set, from a body found by find, and
// returns the index of its key. Lexing is a function of the body's bytes,
// so this is what lexing it again would give.
func (r *rawBodies) recall(saved *rawBody, g *block) int32 {
	r.tries++
	r.found++
	h, key, start := g.h, g.key, g.bodyStart
	*g = saved.g
	g.h, g.key, g.bodyStart = h, key, start
	return saved.k
}

// miss counts a lookup that found nothing although it could have: a body
// not followed by a blank line, or one whose stack the chunk had seen
// before with other bytes (arguments that vary). The first body of each
// stack in a chunk cannot be found and is not counted: a chunk of many
// stacks would otherwise turn the lookups off before its stacks begin to
// repeat. The lookups are turned off when too few find anything.
func (r *rawBodies) miss() {
	r.tries++
	if r.tries >= rawTrial && r.found*4 < r.tries {
		r.off, r.byFirst = true, nil
	}
}

// remember keeps what lexing body gave g, a block that ended at the blank
// line after it and was filed under key k. body stays in the chunk's
// data, which outlives the lookups: nothing is copied but the key's
// state part.
func (r *rawBodies) remember(body []byte, g *block, k int32) {
	if r.off || r.kept >= maxRawBodies || len(body) > maxRawBody {
		return
	}
	nl := bytes.IndexByte(body, '\n')
	if nl <= 0 {
		return
	}
	if r.byFirst == nil {
		r.byFirst = map[string][]*rawBody{}
	}
	first := string(body[:nl])
	if len(r.byFirst[first]) >= maxRawPerFirst {
		return
	}
	saved := &rawBody{body: body, g: *g, prefix: bytes.Clone(g.key[:g.bodyStart]), k: k}
	saved.g.key = nil
	r.byFirst[first] = append(r.byFirst[first], saved)
	r.kept++
}
