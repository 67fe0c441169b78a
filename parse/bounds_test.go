package parse_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
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
func deepen(t testing.TB, dump, after string, lines, n int) string {
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

// linesReader yields line n times without holding them: a stream such as
// `yes 'goroutine 1 [running]:'`.
type linesReader struct {
	line string
	n    int
	buf  []byte
}

func (r *linesReader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if r.n == 0 {
			return 0, io.EOF
		}
		k := min(r.n, 1024)
		r.n -= k
		r.buf = []byte(strings.Repeat(r.line, k))
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// TestSnapshotCap: every repeated ID starts a snapshot, so a stream of
// one header repeated, or thousands of dumps in one file, would keep
// thousands of snapshots. At most MaxSnapshots are kept: the first, the
// last and evenly spaced ones, with a warning.
func TestSnapshotCap(t *testing.T) {
	one := string(readTestdata(t, "generated/panic_send_on_closed_channel.txt"))
	for name, tc := range map[string]struct {
		r     io.Reader
		n     int
		count int // goroutines per snapshot
	}{
		"yes":       {&linesReader{line: "goroutine 1 [running]:\n", n: 100_000}, 100_000, 1},
		"10k dumps": {&linesReader{line: one, n: 10_000}, 10_000, 1},
		"101 dumps": {&linesReader{line: one, n: parse.MaxSnapshots + 1}, parse.MaxSnapshots + 1, 1},
	} {
		t.Run(name, func(t *testing.T) {
			snaps, err := parse.ReadAll(tc.r, "in")
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) > parse.MaxSnapshots || len(snaps) < parse.MaxSnapshots/2 {
				t.Fatalf("%d snapshots kept of %d, want at most %d and at least half", len(snaps), tc.n, parse.MaxSnapshots)
			}
			// Names say which dump of the input each one is.
			var idx []int
			for i, s := range snaps {
				k := 1
				if i > 0 {
					if _, err := fmt.Sscanf(s.Name, "in#%d", &k); err != nil {
						t.Fatalf("name %q: %v", s.Name, err)
					}
				}
				idx = append(idx, k)
				if s.Count() != tc.count {
					t.Errorf("%s: %d goroutines, want %d", s.Name, s.Count(), tc.count)
				}
			}
			if idx[0] != 1 || idx[len(idx)-1] != tc.n {
				t.Errorf("kept %v, want the first and the last (%d)", idx, tc.n)
			}
			// Evenly spaced: one stride between all but the last.
			stride := idx[1] - idx[0]
			for i := 1; i < len(idx)-1; i++ {
				if idx[i]-idx[i-1] != stride {
					t.Fatalf("kept %v: not evenly spaced", idx)
				}
			}
			warn := strings.Join(snaps[len(snaps)-1].Warnings, "\n")
			want := fmt.Sprintf("%d dumps in this input: kept the first, the last and every %d", tc.n, stride)
			if !strings.Contains(warn, want) || !strings.Contains(warn, fmt.Sprintf("%d dropped", tc.n-len(snaps))) {
				t.Errorf("warnings %q, want %q and the number dropped", warn, want)
			}
		})
	}
	// Up to the bound nothing is dropped.
	snaps, err := parse.ReadAll(strings.NewReader(strings.Repeat(one, parse.MaxSnapshots)), "in")
	if err != nil || len(snaps) != parse.MaxSnapshots {
		t.Errorf("%d dumps: %d snapshots, err %v", parse.MaxSnapshots, len(snaps), err)
	}
	for _, s := range snaps {
		if strings.Contains(strings.Join(s.Warnings, "\n"), "dropped") {
			t.Errorf("%s: warning %q", s.Name, s.Warnings)
		}
	}
}

// TestDebug1Counts: counts ≤ 0 or out of range are skipped with a
// warning, and sums never wrap.
func TestDebug1Counts(t *testing.T) {
	const name = "generated/pprof_goroutine_debug1.txt"
	dump := string(readTestdata(t, name))
	const first = "2 @ 0x44f5f4 0x48cacb 0x524954 0x48b9a1\n"
	if !strings.Contains(dump, first) {
		t.Fatal("first record not found")
	}
	const maxInt = "9223372036854775807"
	tests := []struct {
		name, count string
		want        int
		bad         string
	}{
		{"negative", "-7", 23, "-7"},
		{"zero", "0", 23, "0"},
		{"max int64", maxInt, 23, maxInt},
		{"beyond int64", "99999999999999999999", 23, "99999999999999999999"},
		{"at the bound", fmt.Sprint(parse.MaxCount), 0, fmt.Sprint(parse.MaxCount)}, // the others no longer fit
		{"just in", fmt.Sprint(parse.MaxCount - 23), parse.MaxCount, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Replace(dump, first, tc.count+first[1:], 1)
			s, err := parse.Read(strings.NewReader(in), "counts")
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if tc.name == "at the bound" {
				want = parse.MaxCount // the first record fills it: the other 23 are skipped
			}
			if s.Count() != want {
				t.Errorf("%d goroutines, want %d", s.Count(), want)
			}
			warn := strings.Join(withoutTotal(s.Warnings), "\n")
			if tc.bad == "" {
				if warn != "" {
					t.Errorf("warnings %q, want none", warn)
				}
				return
			}
			if tc.name == "at the bound" {
				tc.bad = "1" // the first record skipped is the next one
			}
			if !strings.Contains(warn, "goroutine count ≤ 0 or beyond") || !strings.Contains(warn, "(the first: "+tc.bad+")") {
				t.Errorf("warnings %q, want one naming %s", warn, tc.bad)
			}
		})
	}
	// Two maximal counts do not wrap to a small one.
	in := strings.Replace(dump, first, maxInt+first[1:]+"\n"+maxInt+first[1:], 1)
	s, err := parse.Read(strings.NewReader(in), "counts")
	if err != nil || s.Count() != 23 || len(withoutTotal(s.Warnings)) != 1 {
		t.Errorf("two maximal counts: %d goroutines, warnings %q, err %v; want 23 and a warning", s.Count(), s.Warnings, err)
	}
}

// withoutTotal drops the warning that a debug=1 profile's total differs
// from its records: the tests that change counts make it true.
func withoutTotal(w []string) []string {
	var out []string
	for _, s := range w {
		if !strings.HasPrefix(s, "the profile says total ") {
			out = append(out, s)
		}
	}
	return out
}

func TestProtoCounts(t *testing.T) {
	const name = "generated/pprof_goroutine_debug0.pb.gz"
	for _, v := range []int64{-7, 0, math.MaxInt64} {
		p, err := profile.Parse(bytes.NewReader(readTestdata(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		old := p.Sample[0].Value[0]
		p.Sample[0].Value[0] = v
		p.Sample = append(p.Sample, p.Sample[0]) // twice: a sum would wrap
		var buf bytes.Buffer
		if err := p.Write(&buf); err != nil {
			t.Fatal(err)
		}
		s, err := parse.Read(&buf, "counts")
		if err != nil {
			t.Fatal(err)
		}
		if want := 25 - int(old); s.Count() != want {
			t.Errorf("value %d: %d goroutines, want %d", v, s.Count(), want)
		}
		if warn := strings.Join(s.Warnings, "\n"); !strings.Contains(warn, fmt.Sprintf("skipped 2 samples with a goroutine count ≤ 0 or beyond %d in all (the first: %d)", parse.MaxCount, v)) {
			t.Errorf("value %d: warnings %q", v, warn)
		}
	}
}

// TestBigIDs: the runtime's goroutine IDs are uint64; one beyond 2^63-1
// keeps its goroutine, with ID 0 and a warning.
func TestBigIDs(t *testing.T) {
	for _, tc := range []struct {
		name, old string
		first     int // the first of two IDs replaced
		count     int
	}{
		{"generated/stack_mixed_states.txt", "goroutine %d [", 21, 26},
		{"generated/goleak_verifynone_test_failure.txt", "Goroutine %d in state", 20, 2},
	} {
		in := string(readTestdata(t, tc.name))
		bigs := []string{"18446744073709551615", "9223372036854775808"}
		for i, big := range bigs {
			old := fmt.Sprintf(tc.old, tc.first+i)
			if !strings.Contains(in, old) {
				t.Fatalf("%s: no %q", tc.name, old)
			}
			in = strings.Replace(in, old, fmt.Sprintf(strings.Replace(tc.old, "%d", "%s", 1), big), 1)
		}
		snaps, err := parse.ReadAll(strings.NewReader(in), "big")
		if err != nil {
			t.Fatal(err)
		}
		if len(snaps) != 1 || snaps[0].Count() != tc.count {
			t.Fatalf("%s: %d snapshots, %d goroutines; want 1, %d", tc.name, len(snaps), total(snaps), tc.count)
		}
		zero := 0
		for _, g := range snaps[0].Goroutines() {
			if g.ID == 0 {
				zero++
			}
		}
		if zero != len(bigs) {
			t.Errorf("%s: %d goroutines with ID 0, want %d", tc.name, zero, len(bigs))
		}
		for _, big := range bigs {
			if w := strings.Join(snaps[0].Warnings, "\n"); !strings.Contains(w, "goroutine "+big+": the ID does not fit in 63 bits") {
				t.Errorf("%s: warnings %q, want one for %s", tc.name, w, big)
			}
		}
	}
}

// TestPrefixNotLearnt: one indented header line before a dump is no log
// prefix of every line; and a prefix that cuts stack lines is given up.
func TestPrefixNotLearnt(t *testing.T) {
	const name = "generated/stack_mixed_states.txt"
	dump := string(readTestdata(t, name))
	want := readOne(t, name)
	for _, lead := range []string{"\tgoroutine 99 [running]:\n", "    goroutine 99 [running]:\n"} {
		s, err := parse.Read(strings.NewReader(lead+dump), want.Name)
		if err != nil {
			t.Fatal(err)
		}
		w := s.Warnings
		if len(w) != 1 || w[0] != "skipped an indented goroutine 99 header with no stack" {
			t.Errorf("%q: warnings %q", lead, w)
		}
		s.Warnings = nil
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("%q before the dump: differs (-plain +with):\n%s", lead, diff)
		}
	}
	// A header behind a prefix that also starts a file line of the dump.
	i := strings.Index(dump, "\n\t/")
	fileLine := dump[i+1 : i+1+strings.IndexByte(dump[i+1:], '\n')]
	prefix := fileLine[:strings.IndexByte(fileLine, ' ')+1]
	s, err := parse.Read(strings.NewReader(prefix+"goroutine 99 [running]:\n\n"+dump), want.Name)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]parse.Goroutine{}
	for _, g := range s.Goroutines() {
		got[g.ID] = g
	}
	for _, g := range want.Goroutines() {
		if diff := cmp.Diff(g, got[g.ID]); diff != "" {
			t.Errorf("prefix %q: goroutine %d differs (-plain +with):\n%s", prefix, g.ID, diff)
		}
	}
}

// TestWarningsBounded: a warning per goroutine (here, headers with no
// stack) stops at MaxWarnings, and the rest are counted in one more line.
func TestWarningsBounded(t *testing.T) {
	var b strings.Builder
	for id := 1; id <= 5000; id++ {
		fmt.Fprintf(&b, "\tgoroutine %d [running]:\n", id)
	}
	b.WriteString("goroutine 9999 [running]:\nmain.main()\n\t/app/main.go:1 +0x1\n")
	snaps, err := parse.ReadAll(strings.NewReader(b.String()), "many")
	if err != nil {
		t.Fatal(err)
	}
	w := snaps[len(snaps)-1].Warnings
	if len(w) != parse.MaxWarnings+1 || !strings.HasPrefix(w[len(w)-1], "and ") {
		t.Fatalf("%d warnings, last %q; want %d and a count of the rest", len(w), w[len(w)-1], parse.MaxWarnings+1)
	}
}
