package parse

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

// TestChunkedEqualsSerial reads every corpus file, and concatenations of
// them, both line by line (the slow path) and in parallel chunks cut small
// enough that chunk borders fall everywhere: the snapshots must be equal.
func TestChunkedEqualsSerial(t *testing.T) {
	var inputs []string
	var all [][]byte
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txt") || strings.Contains(p, "golden") || strings.Contains(p, "fuzz") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		inputs = append(inputs, p)
		all = append(all, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every file after every other one, in one input: format changes,
	// repeated IDs and junk between dumps at every chunk offset.
	inputs = append(inputs, "everything")
	all = append(all, bytes.Join(all, []byte("\n")))
	// The same with a log line written into it every seventh line, inside
	// stacks and between them.
	lines := bytes.SplitAfter(all[len(all)-1], []byte("\n"))
	var noisy []byte
	for i, l := range lines {
		if i%7 == 6 {
			noisy = append(noisy, "2024-05-01T10:00:00Z INFO request served\n"...)
		}
		noisy = append(noisy, l...)
	}
	inputs = append(inputs, "everything, with log lines")
	all = append(all, noisy)

	defer func(n int) { chunkSize = n }(chunkSize)
	for _, size := range []int{64, 1000, 4096} {
		chunkSize = size
		for i, data := range all {
			serial, serr := newTextReader(bytes.NewReader(data), "x").readAll()
			chunked, cerr := readText(bytes.NewReader(data), "x")
			if (serr == nil) != (cerr == nil) {
				t.Errorf("%s (chunk %d): serial error %v, chunked error %v", inputs[i], size, serr, cerr)
			}
			if diff := cmp.Diff(serial, chunked); diff != "" {
				t.Errorf("%s (chunk %d): chunked read differs from serial (-serial +chunked):\n%s", inputs[i], size, diff)
			}
		}
	}
}

// TestChunkedLeavesNoGoroutine: the reader and workers of a parallel read
// have all ended when ReadAll returns (capture and leak tests depend on it).
func TestChunkedLeavesNoGoroutine(t *testing.T) {
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 1024
	data, err := os.ReadFile("testdata/generated/stack_mixed_states.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readText(bytes.NewReader(bytes.Repeat(data, 4)), "x"); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t)
}

// TestRawBodiesRepeatManyStacks lexes one chunk of a real dump's
// goroutines (71 distinct bodies) repeated round robin under new IDs, as a
// big dump of a server with many stacks has them: every repeat is filed
// from the body lexed before. The lookups once turned themselves off
// after 64 blocks, before the first stack came round again, and every
// block of such a chunk was lexed.
func TestRawBodiesRepeatManyStacks(t *testing.T) {
	dump, err := os.ReadFile(filepath.Join("testdata", "public", "panicparse_static_panicweb_pprof_debug2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks [][]byte
	for _, b := range bytes.Split(dump, []byte("\n\n")) {
		b = bytes.TrimSpace(b)
		if _, body, ok := bytes.Cut(b, []byte("]:\n")); ok && bytes.HasPrefix(b, []byte("goroutine ")) {
			blocks = append(blocks, body)
		}
	}
	distinct := map[string]bool{}
	for _, b := range blocks {
		distinct[string(b)] = true
	}
	if len(distinct) < rawTrial {
		t.Fatalf("%d distinct bodies: too few to test the lookups' trial", len(distinct))
	}
	const rounds = 10
	var data bytes.Buffer
	id := 1
	for range rounds {
		for _, b := range blocks {
			fmt.Fprintf(&data, "goroutine %d [select]:\n%s\n\n", id, b)
			id++
		}
	}
	c := &chunk{data: data.Bytes(), cutAtHeader: true, last: true, done: make(chan struct{})}
	c.lex(&shapes{m: map[string]*shape{}}, &statusCache{})
	if c.slowAt != len(c.data) || len(c.blocks) != rounds*len(blocks) {
		t.Fatalf("lexed %d of %d blocks, stopped at %d of %d bytes", len(c.blocks), rounds*len(blocks), c.slowAt, len(c.data))
	}
	if want := len(c.blocks) - len(distinct); c.recalled != want {
		t.Errorf("%d of %d blocks filed from a body lexed before, want %d", c.recalled, len(c.blocks), want)
	}
}
