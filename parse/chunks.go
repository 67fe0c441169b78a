package parse

import (
	"bytes"
	"io"
	"runtime"
	"sync"
)

// A dump of a million goroutines is a gigabyte of text. Reading it line by
// line on one core runs at a few hundred MB/s at best, so large inputs are
// cut into chunks at goroutine headers and the chunks are lexed in parallel:
// each worker splits its chunk into goroutine blocks and normalizes their
// keys (the expensive part). One sequencer then takes the chunks in input
// order and does what depends on order: snapshot boundaries, repeated IDs,
// grouping. Anything a worker cannot take on its own (junk, crash
// preambles, log prefixes, debug=1, goleak and race formats, a block cut
// by the chunk end) it leaves to the sequencer, which feeds those lines to
// the same line-by-line textReader: the result is the same either way.

// chunkSize is the size of a chunk: large enough that chunk overhead is
// noise, small enough that the chunks in flight (up to about 4 per CPU)
// stay a few MB. 4 MB chunks held 30 MB of a 1M-goroutine read's 130 MB
// peak; at 1 MB the CPU time is the same.
var chunkSize = 1 << 20

type chunk struct {
	buf  []byte // the whole buffer, returned to the free list when done
	data []byte
	// cutAtHeader is set when the chunk ends right before a goroutine
	// header (or at the end of the input), so no block spans two chunks.
	cutAtHeader bool
	last        bool
	// rest, when set, is the unread remainder of the input: a line longer
	// than a chunk was found, and the sequencer reads the rest line by line.
	rest io.Reader
	err  error

	// Filled by the worker:
	blocks []block // complete goroutine blocks, in order, from the start of data
	// keys are the distinct shapes of the chunk's blocks; keyOf[i] is the
	// index in keys of blocks[i]. Shapes are interned across chunks, so the
	// sequencer finds a block's group with a pointer lookup.
	keys   []*shape
	keyOf  []int32
	slowAt int // offset of the first line the worker left to the sequencer
	// recalled counts the blocks filed from a body lexed before (rawBodies).
	recalled int
	done     chan struct{}
}

// readText reads a text input, in parallel chunks when there is more than
// one CPU.
func readText(r io.Reader, name string) ([]*Snapshot, error) {
	// A dump that fits in one chunk is read on this goroutine alone.
	first := make([]byte, chunkSize)
	n, ferr := fill(r, first)
	if ferr == io.EOF {
		return newTextReader(bytes.NewReader(first[:n]), name).readAll()
	}
	r = io.MultiReader(bytes.NewReader(first[:n]), &errReader{r, ferr})
	workers := runtime.GOMAXPROCS(0)
	t := &textReader{lr: &lineReader{}, name: name}
	order := make(chan *chunk, 2*workers)
	work := make(chan *chunk, 2*workers)
	// Buffers go round: reader, worker, sequencer, back to the reader.
	// Reusing them saves clearing a chunk each time, and bounds memory.
	free := make(chan *chunk, 2*workers+2)
	// Every goroutine started here has ended when readText returns: a
	// library that leaves goroutines behind, even briefly, would show up in
	// the very leak reports it is used to make.
	stacks := &shapes{m: map[string]*shape{}}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { cutChunks(r, order, work, free) })
	for range workers {
		wg.Go(func() {
			var status statusCache
			for c := range work {
				c.lex(stacks, &status)
				close(c.done)
			}
		})
	}
	var err error
	for c := range order {
		<-c.done
		if err != nil {
			continue // drain, so the reader and workers finish
		}
		if c.err != nil {
			err = c.err
		}
		if c.rest == nil {
			t.takeChunk(c)
			if c.last {
				t.lr.cut = len(c.data) > 0 && c.data[len(c.data)-1] != '\n'
			}
			select {
			case free <- c:
			default:
			}
			continue
		}
		long := t.lr.long
		t.lr = newLineReader(io.MultiReader(bytes.NewReader(c.data), c.rest))
		t.lr.long = long
		if rerr := t.readLines(); rerr != nil {
			err = rerr
		}
	}
	if err != nil {
		return t.done(), err
	}
	return t.finishInput(), nil
}

// errReader returns err (a read error met while filling the first chunk)
// before reading on.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return e.r.Read(p)
}

// cutChunks reads r into chunks, cut before a goroutine header when there
// is one, else after a newline.
func cutChunks(r io.Reader, order, work chan<- *chunk, free <-chan *chunk) {
	defer close(order)
	defer close(work)
	var carry []byte
	for {
		// A chunk the sequencer is done with comes back with its buffer
		// and its block slices, which are reused as they are.
		c := &chunk{}
		select {
		case c = <-free:
		default:
		}
		buf := c.buf
		if cap(buf) < chunkSize+len(carry) {
			buf = make([]byte, chunkSize+len(carry))
		}
		buf = buf[:chunkSize+len(carry)]
		copy(buf, carry)
		n, err := fill(r, buf[len(carry):])
		data := buf[:len(carry)+n]
		*c = chunk{buf: buf, data: data, done: make(chan struct{}), blocks: c.blocks[:0], keyOf: c.keyOf[:0]}
		switch {
		case err == io.EOF:
			c.last, c.cutAtHeader = true, true
		case err != nil:
			c.last, c.err = true, err
		default:
			if cut := lastHeaderStart(data); cut > 0 {
				c.data, carry, c.cutAtHeader = data[:cut], data[cut:], true
			} else if cut := bytes.LastIndexByte(data, '\n') + 1; cut > 0 {
				c.data, carry = data[:cut], data[cut:]
			} else {
				// A line longer than a chunk: leave the rest of the input
				// to the line reader, which skips over-long lines.
				c.last, c.rest = true, r
			}
		}
		order <- c
		work <- c
		if c.last {
			return
		}
		carry = append([]byte(nil), carry...)
	}
}

// fill reads into buf until it is full or the input ends. Unlike
// io.ReadFull it keeps io.ErrUnexpectedEOF for what it is: a gzip stream
// cut short, not the end of the input.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

var newlineGoroutine = []byte("\ngoroutine ")

// lastHeaderStart returns the offset of the last line of data that starts
// with "goroutine ", or -1.
func lastHeaderStart(data []byte) int {
	i := bytes.LastIndex(data, newlineGoroutine)
	if i < 0 {
		return -1
	}
	return i + 1
}

// takeChunk files a lexed chunk: its blocks directly when the reader is in
// the plain state a worker assumes, then its remaining lines one by one.
func (t *textReader) takeChunk(c *chunk) {
	from := 0
	if t.plain() {
		if len(c.blocks) > 0 {
			t.skipped = false
		}
		for i := range c.blocks {
			g := &c.blocks[i]
			if t.admit(&g.h) {
				continue
			}
			// t.cur, not a builder kept from before: a chunk may hold the
			// end of one dump and the start of another.
			sh := c.keys[c.keyOf[i]]
			gr := t.cur.byShape[sh]
			if gr == nil {
				gr = t.cur.groupOfShape(&sh.first, &sh.st, sh.sig)
				if t.cur.byShape == nil {
					t.cur.byShape = map[*shape]*Group{}
				}
				t.cur.byShape[sh] = gr
			}
			t.cur.addTo(gr, g)
		}
		from = c.slowAt
	}
	t.feed(c.data[from:])
}

// plain reports whether the reader is between goroutines of an ordinary
// stack dump, with no prefix learnt and no other format open: the state in
// which a worker lexes a chunk.
func (t *textReader) plain() bool {
	return t.prefix == nil && t.g == nil && t.d1 == nil && t.goleak == nil && t.race == nil &&
		(t.cur == nil || t.cur.snap.Format == FormatStack)
}

// feed hands the lines of data to t.line, as the line reader would.
func (t *textReader) feed(data []byte) {
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		if len(line) > maxLine {
			t.lr.long++
			continue
		}
		t.line(bytes.TrimSuffix(line, []byte("\r")))
	}
}

// shape is one distinct goroutine block, normalized (state, flags, stack):
// interned across chunks and parsed once.
type shape struct {
	key   []byte
	first block // the first block seen of this shape, with key as its key
	st    stack
	sig   string // the signature of its group
}

// shapes interns shapes for all workers. Stacks are parsed on the workers
// rather than by the sequencer, so a dump with thousands of distinct stacks
// keeps both cores busy.
type shapes struct {
	mu sync.Mutex
	m  map[string]*shape
}

func (s *shapes) intern(g *block) *shape {
	s.mu.Lock()
	sh := s.m[string(g.key)]
	s.mu.Unlock()
	if sh != nil {
		return sh
	}
	sh = &shape{key: bytes.Clone(g.key), first: *g}
	sh.first.key = sh.key
	sh.st = parseStack(sh.key[g.bodyStart:])
	sh.sig = signature(g.h.state, g.h.leaked, g.unavailable, sh.st.frames, sh.st.createdBy)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[string(sh.key)]; old != nil {
		return old // another worker was quicker
	}
	s.m[string(sh.key)] = sh
	return sh
}
