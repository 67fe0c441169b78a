package parse

import (
	"bytes"
	"hash/maphash"
)

// The workers' side of the parallel read (chunks.go): what a chunk's
// lexing needs no sequencer for.

// lex splits the chunk into goroutine blocks, as far as it can without
// the sequencer's state. status is the worker's own cache of header tails,
// kept from chunk to chunk.
func (c *chunk) lex(stacks *shapes, status *statusCache) {
	c.slowAt = len(c.data)
	if c.rest != nil || c.err != nil {
		c.slowAt = 0
		return
	}
	var (
		g          block
		in         bool
		blockStart int
		seed       = maphash.MakeSeed()
		index      = map[uint64]int32{} // key hash -> index in c.keys
	)
	// finish files the block and returns the index of its key, and
	// whether the chunk had that key before.
	finish := func() (int32, bool) {
		h := maphash.Bytes(seed, g.key)
		k, ok := index[h]
		seen := ok
		if !ok || !bytes.Equal(c.keys[k].key, g.key) {
			seen = false
			// New in this chunk (or, vanishingly rare, a hash collision:
			// then the later key is simply not indexed).
			k = int32(len(c.keys))
			c.keys = append(c.keys, stacks.intern(&g))
			if !ok {
				index[h] = k
			}
		}
		b := g
		b.key = nil
		c.blocks = append(c.blocks, b)
		c.keyOf = append(c.keyOf, k)
		return k, seen
	}
	// raw remembers the blocks lexed, by their body as printed (see
	// rawBodies). rawStart is where the body of the block being lexed
	// starts, or -1 when it is not to be remembered.
	var (
		raw      rawBodies
		rawStart = -1
	)
	// needsSequencer reports whether ending the block here takes more than
	// filing it: the warnings of textReader.line.
	needsSequencer := func() bool {
		return g.pendingFile || g.frames == 0 && !g.unavailable && !g.inAncestors
	}
	data := c.data
	pos := 0
	for pos < len(data) {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		line := data[pos:]
		if end >= 0 {
			line, next = data[pos:pos+end], pos+end+1
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) > maxLine {
			c.slowAt = pos
			break
		}
		if in {
			if len(line) == 0 && g.headerOnly() {
				// A header with no stack under it: the sequencer warns.
				c.slowAt = blockStart
				break
			}
			if len(line) == 0 {
				k, seen := finish()
				if rawStart >= 0 {
					if seen {
						raw.miss()
					}
					if data[pos] == '\n' {
						raw.remember(data[rawStart:pos], &g, k)
					}
				}
				in = false
				pos = next
				continue
			}
			if !bytes.HasPrefix(line, goroutinePrefix) && g.add(line) {
				pos = next
				continue
			}
			if needsSequencer() || !bytes.HasPrefix(line, goroutinePrefix) {
				// A line that is none of the stack may be a log line
				// inside it: textReader.line decides from the next one.
				c.slowAt = blockStart
				break
			}
			if _, seen := finish(); seen && rawStart >= 0 {
				raw.miss() // no blank line frames it
			}
			in = false
		}
		if len(line) == 0 {
			pos = next
			continue
		}
		h, ok := parseHeaderCached(line, status)
		if !ok {
			c.slowAt = pos
			break
		}
		g.reset(h)
		in, blockStart = true, pos
		pos = next
		rawStart = -1
		if saved, after, ok := raw.find(data, pos, g.key[:g.bodyStart]); ok {
			// Filed as finish would: same key, same shape.
			k := raw.recall(saved, &g)
			b := g
			b.key = nil
			c.blocks = append(c.blocks, b)
			c.keyOf = append(c.keyOf, k)
			in = false
			pos = after
			continue
		}
		if !raw.off {
			rawStart = pos
		}
	}
	c.recalled = raw.found
	if in && c.slowAt == len(c.data) {
		// The chunk ends inside a block: the next chunk starts with a
		// header, which ends it, unless the block goes on there or the
		// input ends (the sequencer knows about truncation).
		if c.cutAtHeader && !c.last && !needsSequencer() {
			finish()
		} else {
			c.slowAt = blockStart
		}
	}
}
