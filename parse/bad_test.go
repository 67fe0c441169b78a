package parse_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "\n\n\n", "   \r\n", "hello\nworld\n"} {
		snaps, err := parse.ReadAll(strings.NewReader(in), "in")
		if !errors.Is(err, parse.ErrNoDump) || len(snaps) != 0 {
			t.Errorf("%q: %d snapshots, err %v; want ErrNoDump", in, len(snaps), err)
		}
		s, err := parse.Read(strings.NewReader(in), "in")
		if s != nil || !errors.Is(err, parse.ErrNoDump) {
			t.Errorf("Read(%q) = %v, %v; want nil, ErrNoDump", in, s, err)
		}
	}
}

func TestBinaryJunk(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 1<<20)
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	cases := map[string][]byte{
		"random": junk,
		// Junk behind the magic bytes of the formats read by content.
		"gzip magic":     append([]byte{0x1f, 0x8b}, junk[:4096]...),
		"gzip header":    gzipBytes(t, nil)[:10],
		"proto tag":      append([]byte{0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0xff, 0x01, 0x00}, junk[:4096]...),
		"gzipped junk":   gzipBytes(t, junk),
		"junk then dump": append(junk[:512:512], readTestdata(t, "generated/panic_nil_deref_default.txt")...),
		"NULs":           make([]byte, 100<<10),
	}
	for name, in := range cases {
		snaps, err := parse.ReadAll(bytes.NewReader(in), name)
		if err == nil || len(snaps) != 0 {
			t.Errorf("%s: %d snapshots, err %v; want an error and nothing", name, len(snaps), err)
		}
	}
}

// TestNotBinary: a dump with a Latin-1 byte, or NULs from a hole in a log
// file, near its start is text.
func TestNotBinary(t *testing.T) {
	const name = "generated/panic_gotraceback_all_go_run.txt"
	dump := string(readTestdata(t, name))
	want := readOne(t, name)
	for what, in := range map[string]string{
		"latin-1 byte":          "caf\xe9 ouvert\n" + dump,
		"latin-1 in a log line": strings.Replace(dump, "\n", " r\xe9sum\xe9\n", 1),
		"a few NULs":            "\x00\x00\x00\x00\x00" + dump,
		"NULs in a line":        strings.Replace(dump, "\n", "\n\x00\x00\x00junk\x00\n", 1),
		"log hole":              strings.Repeat("\x00", 70<<10) + dump,
		"hole then header":      "x\n" + strings.Replace(dump, "\ngoroutine ", "\n\x00\x00goroutine ", 1),
	} {
		s, err := parse.Read(strings.NewReader(in), want.Name)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("%s: differs (-plain +with):\n%s", what, diff)
		}
	}
}

// repeatReader yields n copies of one byte without holding them.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// longLine is the length of the junk line of TestLongLine: 64 times the
// longest line kept, enough to show that it is streamed past and not
// buffered (the same holds for 1 GB, only slower).
const longLine = 64 << 20

func TestLongLine(t *testing.T) {
	dump := readTestdata(t, "generated/stack_mixed_states.txt")
	in := io.MultiReader(&repeatReader{'x', longLine}, strings.NewReader("\n"), bytes.NewReader(dump))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	snaps, err := parse.ReadAll(in, "long")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].Count() != 26 {
		t.Fatalf("got %d snapshots, %d goroutines; want the dump after the line", len(snaps), total(snaps))
	}
	if w := strings.Join(snaps[0].Warnings, "\n"); !strings.Contains(w, "skipped 1 line longer than 1 MiB") {
		t.Errorf("warnings %q, want one about the long line", w)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > longLine/4 {
		t.Errorf("allocated %d MiB for a %d MiB line", alloc>>20, longLine>>20)
	}
	// The same after a dump: the dump is kept and warned about.
	in = io.MultiReader(bytes.NewReader(dump), &repeatReader{'y', longLine})
	snaps, err = parse.ReadAll(in, "long")
	if err != nil || total(snaps) != 26 || len(snaps[0].Warnings) != 1 {
		t.Errorf("dump then long line: %d goroutines, err %v, warnings %q", total(snaps), err, snaps[0].Warnings)
	}
}

func TestTruncated(t *testing.T) {
	dump := string(readTestdata(t, "generated/stack_mixed_states.txt"))
	full := readOne(t, "generated/stack_mixed_states.txt")
	start := strings.Index(dump, "goroutine 30 [sync.WaitGroup.Wait]:")
	// Goroutines before 30, in dump order.
	before := map[int64]bool{}
	for _, id := range []int64{1, 21, 22, 23, 24, 25, 26, 27, 28, 29} {
		before[id] = true
	}
	body := dump[start:]
	funcEnd := start + strings.Index(body, ")\n") + 2 // after the first function line
	fileMid := funcEnd + 10                           // inside its file line
	for name, cut := range map[string]int{
		"after a function line":  funcEnd,
		"inside a file line":     fileMid,
		"inside a function line": start + strings.Index(body, "\n") + 8,
	} {
		t.Run(name, func(t *testing.T) {
			s, err := parse.Read(strings.NewReader(dump[:cut]), "cut")
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, g := range s.Goroutines() {
				got[g.ID] = true
			}
			for id := range before {
				if !got[id] {
					t.Errorf("goroutine %d lost", id)
				}
			}
			if len(s.Warnings) == 0 || !s.Cut {
				t.Errorf("dump cut inside goroutine 30: warnings %q, Cut %v", s.Warnings, s.Cut)
			}
			// The complete goroutines are exactly as in the full dump.
			for _, g := range s.Goroutines() {
				if before[g.ID] {
					if diff := cmp.Diff(goroutine(t, full, g.ID), g); diff != "" {
						t.Errorf("goroutine %d differs (-full +cut):\n%s", g.ID, diff)
					}
				}
			}
		})
	}
}

func TestGzip(t *testing.T) {
	for _, name := range []string{
		"generated/stack_mixed_states.txt",
		"generated/race_report.txt",
		"generated/goleak_verifynone_test_failure.txt",
		"generated/pprof_goroutine_debug1.txt",
	} {
		plain := readOne(t, name)
		if plain.Cut {
			t.Errorf("%s: a whole dump is marked Cut", name)
		}
		z, err := parse.Read(bytes.NewReader(gzipBytes(t, readTestdata(t, name))), plain.Name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(plain, z); diff != "" {
			t.Errorf("%s gzipped differs (-plain +gzip):\n%s", name, diff)
		}
	}
}

func TestGzipCut(t *testing.T) {
	for _, name := range []string{
		"generated/stack_mixed_states.txt",
		"generated/pprof_goroutine_debug0.pb.gz",
		"generated/stack_100k_goroutines.txt.gz",
	} {
		if raceEnabled && strings.Contains(name, "100k") {
			continue // too slow under -race; the race-free run covers it
		}
		z := readTestdata(t, name)
		if !strings.HasSuffix(name, ".gz") {
			z = gzipBytes(t, z)
		}
		cuts := []int{len(z) / 2, 20} // the middle, the header
		if len(z) > 100<<10 {
			cuts = []int{len(z) / 16, 20} // the 100k dump: keep the test fast
		}
		for _, n := range cuts {
			// A cut keeps what was read before it, with a warning; when
			// nothing readable came before, the error says the gzip data
			// stops early. Never a silent loss.
			snaps, err := parse.ReadAll(bytes.NewReader(z[:n]), "cut")
			if err != nil {
				if !strings.Contains(err.Error(), "gzip") && !strings.Contains(err.Error(), "protobuf") {
					t.Errorf("%s cut at %d: error %q does not say the gzip data stops early", name, n, err)
				}
				continue
			}
			if len(snaps) == 0 {
				t.Errorf("%s cut at %d: no snapshot and no error", name, n)
				continue
			}
			w := strings.Join(snaps[len(snaps)-1].Warnings, "\n")
			if !snaps[len(snaps)-1].Cut {
				t.Errorf("%s cut at %d: snapshot not marked Cut", name, n)
			}
			if !strings.Contains(w, "the gzip data stops early") {
				t.Errorf("%s cut at %d: warnings %q do not say the gzip data stops early", name, n, w)
			}
		}
	}
}

// TestGzipNoTrailer: a gzip stream that lacks only its trailer holds all
// the data: it reads as the whole file, with a warning.
func TestGzipNoTrailer(t *testing.T) {
	for _, name := range []string{
		"generated/stack_mixed_states.txt",
		"generated/pprof_goroutine_debug0.pb.gz",
	} {
		want := readOne(t, name)
		z := readTestdata(t, name)
		if !strings.HasSuffix(name, ".gz") {
			z = gzipBytes(t, z)
		}
		for _, missing := range []int{8, 4, 1} {
			s, err := parse.Read(bytes.NewReader(z[:len(z)-missing]), want.Name)
			if err != nil {
				t.Errorf("%s without %d trailer bytes: %v", name, missing, err)
				continue
			}
			w := s.Warnings
			if len(w) == 0 || !strings.Contains(w[len(w)-1], "without its trailer") {
				t.Errorf("%s without %d trailer bytes: warnings %q", name, missing, w)
				continue
			}
			s.Warnings = w[:len(w)-1]
			if len(s.Warnings) == 0 {
				s.Warnings = want.Warnings
			}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("%s without %d trailer bytes differs (-whole +cut):\n%s", name, missing, diff)
			}
		}
	}
}

func TestGzipChecksum(t *testing.T) {
	z := gzipBytes(t, readTestdata(t, "generated/stack_mixed_states.txt"))
	z[len(z)-8] ^= 0xff // the CRC
	_, err := parse.ReadAll(bytes.NewReader(z), "bad")
	if err == nil || err.Error() != "gzip: invalid checksum" {
		t.Errorf("err = %v, want gzip: invalid checksum", err)
	}
}

// TestGzipMembers: "cat before.txt.gz after.txt.gz" is two dumps, and
// padding after the data is ignored with a warning.
func TestGzipMembers(t *testing.T) {
	dump := readTestdata(t, "generated/stack_mixed_states.txt")
	z := gzipBytes(t, dump)
	snaps, err := parse.ReadAll(bytes.NewReader(append(append([]byte(nil), z...), z...)), "two")
	if err != nil || len(snaps) != 2 || total(snaps) != 52 {
		t.Errorf("two members: %d snapshots, %d goroutines, err %v", len(snaps), total(snaps), err)
	}
	snaps, err = parse.ReadAll(bytes.NewReader(append(append([]byte(nil), z...), make([]byte, 512)...)), "padded")
	if err != nil || len(snaps) != 1 || !slices.Contains(snaps[0].Warnings, "ignored bytes after the gzip data") {
		t.Errorf("padded: %d snapshots, err %v, warnings %q", len(snaps), err, snaps[0].Warnings)
	}
}

// TestGzipProtoZeros: a gzip that starts like a protobuf profile (a
// string of 200 MiB) and then holds zeros (64 MiB of them here, in 64 KB)
// is refused before the zeros are read.
func TestGzipProtoZeros(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte{0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x32, 0x80, 0x80, 0x80, 0x64})
	if _, err := io.Copy(zw, &repeatReader{0, 64 << 20}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := parse.ReadAll(bytes.NewReader(buf.Bytes()), "zeros")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "malformed profile") {
		t.Errorf("err = %v, want a malformed profile", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("allocated %d MiB before saying so", alloc>>20)
	}
}

// TestCRLF: every format reads the same with Windows line endings.
func TestCRLF(t *testing.T) {
	for _, name := range []string{
		"generated/stack_mixed_states.txt",
		"generated/sigquit_gotraceback_crash.txt",
		"generated/goleak_verifynone_test_failure.txt",
		"generated/race_report.txt",
		"generated/pprof_goroutine_debug1.txt",
		"public/panicparse_synthetic_indented.txt",
	} {
		lf := readTestdata(t, name)
		crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
		want, err := parse.ReadAll(bytes.NewReader(lf), "x")
		if err != nil {
			t.Fatal(err)
		}
		got, err := parse.ReadAll(bytes.NewReader(crlf), "x")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s with CRLF differs (-LF +CRLF):\n%s", name, diff)
		}
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTextThatParsesAsProto: 600 blank lines read as a valid protobuf
// field sequence (tag 1, length 10, ...); the dump after them must still be
// read as text.
func TestTextThatParsesAsProto(t *testing.T) {
	in := strings.Repeat("\n", 600) + string(readTestdata(t, "generated/stack_mixed_states.txt"))
	s, err := parse.Read(strings.NewReader(in), "blank")
	if err != nil || s.Count() != 26 {
		t.Fatalf("err %v", err)
	}
}

// TestReadAllLimit: the limit counts decompressed bytes, and an input that
// fits exactly is read whole.
func TestReadAllLimit(t *testing.T) {
	plain := readTestdata(t, "generated/stack_mixed_states.txt")
	z := gzipBytes(t, plain)
	for _, tc := range []struct {
		name  string
		in    []byte
		limit int64
		over  bool
	}{
		{"plain fits exactly", plain, int64(len(plain)), false},
		{"plain one byte over", plain, int64(len(plain)) - 1, true},
		{"gzip counted after gunzip", z, int64(len(z)) + 1, len(z)+1 < len(plain)},
		{"gzip fits", z, int64(len(plain)), false},
	} {
		snaps, err := parse.ReadAllLimit(bytes.NewReader(tc.in), tc.name, tc.limit)
		if over := errors.Is(err, parse.ErrTooLarge); over != tc.over {
			t.Errorf("%s: error %v, want over the limit = %v", tc.name, err, tc.over)
		}
		if !tc.over && (err != nil || len(snaps) != 1 || snaps[0].Count() != 26) {
			t.Errorf("%s: %d snapshots, error %v; want the whole dump", tc.name, len(snaps), err)
		}
	}
}

// TestOtherCompressions: a dump kept compressed with something other than
// gzip gets an error that names the compression.
func TestOtherCompressions(t *testing.T) {
	for name, head := range map[string]string{
		"xz":    "\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46\x02\x00\x21\x01\x16\x00\x00\x00",
		"bzip2": "BZh91AY&SY\x8a\x9f\x00\x01\x02\xff\xfe\x00\x00\x00",
		"zstd":  "\x28\xb5\x2f\xfd\x04\x58\x45\x03\x00\x00\x00\xff\xfe\x00\x01\x02",
	} {
		_, err := parse.Read(strings.NewReader(head), "dump")
		if err == nil || !strings.Contains(err.Error(), name+" data: decompress it first") {
			t.Errorf("%s: error %v, want one naming %s", name, err, name)
		}
	}
}
