package parse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseGoleakHeader(t *testing.T) {
	tests := []struct {
		in   string
		want header
		ok   bool
	}{
		{"Goroutine 20 in state select, with pkg.(*Store).flusher on top of the stack:",
			header{id: 20, state: "select"}, true},
		{"Goroutine 7 in state chan receive (leaked), 3 minutes, locked to thread, with main.f on top of the stack:",
			header{id: 7, state: "chan receive", leaked: true, waitMinutes: 3, locked: true}, true},
		{"Goroutine 9 in state sleep (durable), synctest bubble 2, with time.Sleep on top of the stack:",
			header{id: 9, state: "sleep", durable: true, bubble: 2}, true},
		{`Goroutine 3 in state chan receive labels:{"k": "a, with b"}, with main.g on top of the stack:`,
			header{id: 3, state: "chan receive", labels: `"k": "a, with b"`}, true},
		{"Goroutine 4 in state running, with  on top of the stack:", header{id: 4, state: "running"}, true},
		{"Goroutine x in state running, with f on top of the stack:", header{}, false},
		{"Goroutine 4 in state running on top of the stack:", header{}, false},
		{"Goroutine 4 running, with f on top of the stack:", header{}, false},
		{"Goroutine 99999999999999999999 in state running, with f on top of the stack:",
			header{bigID: "99999999999999999999", state: "running"}, true},
		{"Goroutine 999999999999999999999 in state running, with f on top of the stack:", header{}, false},
		{"goroutine 4 [running]:", header{}, false},
	}
	for _, tc := range tests {
		got, ok := parseGoleakHeader([]byte(tc.in))
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("parseGoleakHeader(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRaceSectionLines(t *testing.T) {
	access := []struct {
		in string
		id int64
		ok bool
	}{
		{"Read at 0x00c00009c0f0 by goroutine 8:", 8, true},
		{"Previous write at 0x00c00009c0f0 by goroutine 9:", 9, true},
		{"Atomic write at 0x00c000012345 by main goroutine:", 1, true},
		{"Location is heap block of size 8 at 0x00c000012340 allocated by goroutine 5:", 5, true},
		{"Read at 0x00c00009c0f0 by goroutine x:", 0, false},
		{"Goroutine 8 (running) created at:", 0, false},
	}
	for _, tc := range access {
		id, ok := raceAccessID([]byte(tc.in))
		if ok != tc.ok || id != tc.id {
			t.Errorf("raceAccessID(%q) = %d, %v; want %d, %v", tc.in, id, ok, tc.id, tc.ok)
		}
	}
	created := []struct {
		in    string
		id    int64
		state string
		ok    bool
	}{
		{"Goroutine 8 (running) created at:", 8, "running", true},
		{"Goroutine 9 (finished) created at:", 9, "finished", true},
		{"Goroutine 9 created at:", 9, "running", true},
		{"Goroutine x (running) created at:", 0, "", false},
		{"Read at 0x1 by goroutine 8:", 0, "", false},
	}
	for _, tc := range created {
		id, state, ok := raceCreatedID([]byte(tc.in))
		if ok != tc.ok || id != tc.id || state != tc.state {
			t.Errorf("raceCreatedID(%q) = %d, %q, %v; want %d, %q, %v", tc.in, id, state, ok, tc.id, tc.state, tc.ok)
		}
	}
}

func TestIsProto(t *testing.T) {
	for _, name := range []string{"pprof_goroutine_debug0.pb.gz", "goroutineleak_debug0.pb.gz"} {
		f, err := os.Open("testdata/generated/" + name)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{512, 100, 7, len(raw)} {
			head := raw[:min(n, len(raw))]
			if !isProto(head) {
				t.Errorf("%s: first %d bytes not seen as a profile", name, n)
			}
			if !looksBinary(raw[:min(512, len(raw))]) {
				t.Errorf("%s: not seen as binary", name)
			}
		}
	}
	for _, in := range []string{
		"", "\x00\x00\x00", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
		"\x0b\x01\x02",         // wire type 3 (group)
		"\x38\x01\x3a\x01",     // field 7 is an int64, not length-delimited
		"\x0a\x02\x08\x01\x07", // field 0
		"\xa8\x02\x01",         // field 37
		"goroutine 1 [running]:\n",
		"\n\ngoroutine 1 [running]:\n",
	} {
		if isProto([]byte(in)) {
			t.Errorf("isProto(%q) = true", in)
		}
	}
}

func TestUvarint(t *testing.T) {
	for _, tc := range []struct {
		in string
		v  uint64
		n  int
	}{
		{"\x00", 0, 1},
		{"\x96\x01", 150, 2},
		{"\x96", 0, 0},
		{"", 0, 0},
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 1<<64 - 1, 10},
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 0, -1},
	} {
		v, n := uvarint([]byte(tc.in))
		if v != tc.v || n != tc.n {
			t.Errorf("uvarint(%q) = %d, %d; want %d, %d", tc.in, v, n, tc.v, tc.n)
		}
	}
}

// TestProtoLimit: a profile larger than maxProto is refused, not read; a
// profile-like head followed by zeros is refused at the first zero.
func TestProtoLimit(t *testing.T) {
	const limit = 1 << 20
	head := "\x0a\x04\x08\x01\x10\x02"
	cr := &countingReader{r: io.MultiReader(strings.NewReader(head), zeros{})}
	_, err := readProtoMax(cr, "zeros", limit)
	if !errors.Is(err, errMalformedProto) || cr.n > 64<<10 {
		t.Errorf("err = %v after %d bytes, want a malformed profile at once", err, cr.n)
	}
	// A field that says it is longer than the limit is not read.
	cr = &countingReader{r: io.MultiReader(strings.NewReader(head+"\x32\xff\xff\xff\xff\x0f"), zeros{})}
	if _, err := readProtoMax(cr, "big", limit); err != errProtoTooLarge || cr.n > 64<<10 {
		t.Errorf("err = %v after %d bytes, want %v at once", err, cr.n, errProtoTooLarge)
	}
	// Fields that add up to more than the limit.
	field := "\x32\x80\x80\x01" + strings.Repeat("a", 1<<14) // a 16 KiB string
	big := head + strings.Repeat(field, limit/(1<<14)+1)
	if _, err := readProtoMax(strings.NewReader(big), "big", limit); err != errProtoTooLarge {
		t.Errorf("err = %v, want %v", err, errProtoTooLarge)
	}
	// At the limit it is read (and here found to be no goroutine profile).
	fit := head + strings.Repeat(field, (limit-len(head))/len(field))
	_, err = readProtoMax(strings.NewReader(fit), "big", limit)
	if err == nil || err == errProtoTooLarge {
		t.Errorf("err = %v, want a parse error", err)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestLineReader: line endings and over-long lines.
func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	in := "a\r\nb\n" + long + "\nc\n\nd"
	lr := newLineReader(strings.NewReader(in))
	var got []string
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(line))
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "", "d"}, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if lr.long != 1 {
		t.Errorf("long = %d, want 1", lr.long)
	}
}

// TestRaceBounded: a race report with a huge stack keeps a bounded number
// of lines.
func TestRaceBounded(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("WARNING: DATA RACE\nRead at 0x1 by goroutine 8:\n")
	for range 3 * maxRaceLines {
		b.WriteString("  main.f()\n      /a.go:1 +0x1\n")
	}
	tr := newTextReader(&b, "x")
	snaps, err := tr.readAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || len(snaps[0].Groups) != 1 {
		t.Fatalf("got %d snapshots", len(snaps))
	}
	// maxRaceLines lines make maxRaceLines/2 frames, cut to MaxFrames.
	g := snaps[0].Groups[0]
	if n := len(g.Frames); n != MaxFrames || g.Elided != maxRaceLines/2-MaxFrames {
		t.Errorf("%d frames kept, %d elided; want %d, %d", n, g.Elided, MaxFrames, maxRaceLines/2-MaxFrames)
	}
}

func TestElideTypeArgs(t *testing.T) {
	for in, want := range map[string]string{
		"example.com/states.Drain[go.shape.string]":               "example.com/states.Drain[...]",
		"example.com/list.(*List[go.shape.int]).Push":             "example.com/list.(*List[...]).Push",
		"example.com/m.Map[go.shape.string,go.shape.[]int].func1": "example.com/m.Map[...].func1",
		"example.com/m.F[go.shape.struct { A [4]int }]":           "example.com/m.F[...]",
		"example.com/states.Drain[...]":                           "example.com/states.Drain[...]",
		"example.com/plain.(*T).Method":                           "example.com/plain.(*T).Method",
		"example.com/p.G[go.shape.int].H[go.shape.string]":        "example.com/p.G[...].H[...]",
	} {
		if got := elideTypeArgs(in); got != want {
			t.Errorf("elideTypeArgs(%q) = %q, want %q", in, got, want)
		}
	}
}
