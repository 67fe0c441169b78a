package parse_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/pprof/profile"

	"github.com/stackdiff/stackdiff/parse"
)

// deepen repeats the frame lines that follow the first line matching
// after (a function line and its file line), so that the stack they are in
// gets n more frames between its leaf and its root.
func deepen(t *testing.T, dump, after string, lines, n int) string {
	t.Helper()
	i := strings.Index(dump, after)
	if i < 0 {
		t.Fatalf("%q not in the dump", after)
	}
	i += len(after)
	j := i
	for range lines {
		j += strings.IndexByte(dump[j:], '\n') + 1
	}
	return dump[:j] + strings.Repeat(dump[i:j], n) + dump[j:]
}

// checkCapped checks that a group of a deepened stack kept its leaf and
// root ends, and counts the frames cut.
func checkCapped(t *testing.T, g, orig *parse.Group, added int) {
	t.Helper()
	if len(g.Frames) != parse.MaxFrames {
		t.Fatalf("%d frames, want %d", len(g.Frames), parse.MaxFrames)
	}
	total := len(orig.Frames) + added
	if want := orig.Elided + total - parse.MaxFrames; g.Elided != want {
		t.Errorf("Elided = %d, want %d", g.Elided, want)
	}
	if diff := cmp.Diff(orig.Frames[0], g.Frames[0]); diff != "" {
		t.Errorf("leaf frame differs:\n%s", diff)
	}
	if diff := cmp.Diff(orig.Frames[len(orig.Frames)-1], g.Frames[len(g.Frames)-1]); diff != "" {
		t.Errorf("root frame differs:\n%s", diff)
	}
}

// groupWith returns the group of s whose leaf frame is fn.
func groupWith(t *testing.T, s *parse.Snapshot, fn string) *parse.Group {
	t.Helper()
	for _, g := range s.Groups {
		if len(g.Frames) > 0 && g.Frames[0].Func == fn {
			return g
		}
	}
	t.Fatalf("%s: no group with leaf %s", s.Name, fn)
	return nil
}

// TestFrameCapText: a goroutine with a thousand frames (the runtime prints
// at most 100) keeps 100, both ends, and counts the cut ones.
func TestFrameCapText(t *testing.T) {
	const name = "generated/stack_mixed_states.txt"
	orig := groupWith(t, readOne(t, name), "main.allStacks")
	dump := deepen(t, string(readTestdata(t, name)), "goroutine 1 [running]:\n", 2, 1000)
	for _, in := range []string{dump, strings.Repeat("x\n", 3<<20) + dump} { // line by line and chunked
		s, err := parse.Read(strings.NewReader(in), "deep")
		if err != nil {
			t.Fatal(err)
		}
		checkCapped(t, groupWith(t, s, "main.allStacks"), orig, 1000)
	}
}

func TestFrameCapDebug1(t *testing.T) {
	const name = "generated/pprof_goroutine_debug1.txt"
	orig := groupWith(t, readOne(t, name), "runtime/pprof.writeRuntimeProfile")
	dump := deepen(t, string(readTestdata(t, name)), "0x450cd5 0x48b9a1\n", 1, 5000)
	s, err := parse.Read(strings.NewReader(dump), "deep")
	if err != nil {
		t.Fatal(err)
	}
	checkCapped(t, groupWith(t, s, "runtime/pprof.writeRuntimeProfile"), orig, 5000)
}

// TestFrameCapProto: one sample that references one location a million
// times (4 KB gzipped). Without a cap, the decoder alone expands each
// one-byte reference to 16 bytes, and the group to a million frames.
func TestFrameCapProto(t *testing.T) {
	const name = "generated/pprof_goroutine_debug0.pb.gz"
	p, err := profile.Parse(bytes.NewReader(readTestdata(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	s := p.Sample[0]
	leaf := s.Location[0]
	const n = 1 << 20
	locs := make([]*profile.Location, 0, n+len(s.Location))
	for range n {
		locs = append(locs, leaf)
	}
	s.Location = append(locs, s.Location...)
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	hostile := buf.Bytes()
	t.Logf("hostile profile: %d bytes", len(hostile))
	p, locs, s = nil, nil, nil
	runtime.GC()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	snap, err := parse.Read(bytes.NewReader(hostile), "hostile")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("allocated %d MiB for a %d KB profile", alloc>>20, len(hostile)>>10)
	}
	var deep *parse.Group
	for _, g := range snap.Groups {
		if len(g.Frames) > parse.MaxFrames {
			t.Errorf("group with %d frames", len(g.Frames))
		}
		if g.Elided > 0 {
			deep = g
		}
	}
	if deep == nil || deep.Elided < n-parse.MaxFrames {
		t.Fatalf("no group counts the %d frames cut", n)
	}
	if got, want := deep.Frames[0].Func, deep.Frames[1].Func; got != want {
		t.Errorf("leaf frames %s, %s: want the repeated leaf", got, want)
	}
	if got := deep.Frames[len(deep.Frames)-1].Func; got == deep.Frames[0].Func {
		t.Errorf("root frame %s: want the sample's own root", got)
	}
}
