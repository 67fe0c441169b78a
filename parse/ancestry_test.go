package parse_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

func ancestorIDs(as []parse.Ancestor) []int64 {
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestAncestorsCorpus(t *testing.T) {
	const app = "/app/zoo/cmd/ordersvc/main.go"
	s := readOne(t, "generated/stack_tracebackancestors.txt")
	if !s.HasAncestry() {
		t.Fatal("HasAncestry = false")
	}
	want22 := []parse.Ancestor{
		{ID: 21, Frames: []parse.Frame{{Func: "main.ancestors.func1", File: app, Line: 174}},
			CreatedBy: &parse.Frame{Func: "main.ancestors", File: app, Line: 160}},
		{ID: 1, Frames: []parse.Frame{{Func: "main.ancestors", File: app, Line: 176}, {Func: "main.main", File: app, Line: 79}}},
	}
	if diff := cmp.Diff(want22, s.Ancestors(22)); diff != "" {
		t.Errorf("Ancestors(22) (-want +got):\n%s", diff)
	}
	if got := s.Ancestors(1); got != nil {
		t.Errorf("Ancestors(1) = %v, want nil: goroutine 1 has no ancestors", got)
	}
	// Goroutine 24's parent was deep in a recursion when it started it:
	// the runtime printed 48 of its frames and said it elided the rest.
	a24 := s.Ancestors(24)
	if diff := cmp.Diff([]int64{23, 22, 21, 1}, ancestorIDs(a24)); diff != "" {
		t.Fatalf("Ancestors(24) IDs (-want +got):\n%s", diff)
	}
	if n := len(a24[0].Frames); n != 48 || !a24[0].Elided {
		t.Errorf("ancestor 23: %d frames, elided %v; want 48, true", n, a24[0].Elided)
	}
	if a24[1].Elided || a24[3].CreatedBy != nil {
		t.Errorf("ancestors 22 and 1: elided %v, created by %v; want false, nil", a24[1].Elided, a24[3].CreatedBy)
	}
	h := readOne(t, "public/goleak_testdata_http.tracebackancestors.txt")
	a24 = h.Ancestors(24)
	if diff := cmp.Diff([]int64{21, 1}, ancestorIDs(a24)); diff != "" {
		t.Fatalf("http Ancestors(24) IDs (-want +got):\n%s", diff)
	}
	if got, want := a24[0].CreatedBy.Func, "net/http.(*Transport).queueForDial"; got != want {
		t.Errorf("ancestor 21 created by %q, want %q", got, want)
	}
	if got := a24[1].Frames[len(a24[1].Frames)-1].Func; got != "main.main" {
		t.Errorf("ancestor 1's outermost frame = %q, want main.main", got)
	}

	// Created-by lines without "in goroutine N", six generations.
	p := readOne(t, "public/gostackparse_ancestors.txt")
	if diff := cmp.Diff([]int64{24, 23, 22, 21, 20, 1}, ancestorIDs(p.Ancestors(25))); diff != "" {
		t.Errorf("gostackparse Ancestors(25) IDs (-want +got):\n%s", diff)
	}

	if readOne(t, "generated/stack_mixed_states.txt").HasAncestry() {
		t.Error("a dump without ancestry has some")
	}
}

// TestAncestryKeepsGroups: a dump with ancestry groups exactly like the
// same dump without it.
func TestAncestryKeepsGroups(t *testing.T) {
	for _, name := range []string{"generated/stack_tracebackancestors.txt", "public/goleak_testdata_http.tracebackancestors.txt", "public/gostackparse_ancestors.txt"} {
		with := readTestdata(t, name)
		without := stripAncestry(with)
		if bytes.Equal(with, without) {
			t.Fatalf("%s: nothing stripped", name)
		}
		a, err := parse.Read(bytes.NewReader(with), "x")
		if err != nil {
			t.Fatal(err)
		}
		b, err := parse.Read(bytes.NewReader(without), "x")
		if err != nil {
			t.Fatal(err)
		}
		if b.HasAncestry() {
			t.Fatalf("%s: stripped dump still has ancestry", name)
		}
		if diff := cmp.Diff(b.Groups, a.Groups); diff != "" {
			t.Errorf("%s: groups differ with ancestry (-without +with):\n%s", name, diff)
		}
	}
}

// stripAncestry removes the ancestry sections of a dump, up to the line
// that ends each goroutine.
func stripAncestry(dump []byte) []byte {
	var out []byte
	skip := false
	for _, line := range strings.SplitAfter(string(dump), "\n") {
		if strings.HasPrefix(line, "[originating from goroutine ") {
			skip = true
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "goroutine ") {
			skip = false
		}
		if !skip {
			out = append(out, line...)
		}
	}
	return out
}

// TestAncestryBounds: however long the ancestry printed, a goroutine keeps
// MaxAncestors ancestors of MaxAncestorFrames frames.
func TestAncestryBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("goroutine 1000 [chan receive]:\nmain.leaf()\n\t/app/main.go:1 +0x1\ncreated by main.spawn in goroutine 999\n\t/app/main.go:2 +0x2\n")
	for id := 999; id > 999-3*parse.MaxAncestors; id-- {
		fmt.Fprintf(&b, "[originating from goroutine %d]:\n", id)
		for range 2 * parse.MaxAncestorFrames {
			b.WriteString("main.spawn(...)\n\t/app/main.go:2 +0x2\n")
		}
		b.WriteString("created by main.spawn\n\t/app/main.go:2 +0x2\n")
	}
	s, err := parse.Read(strings.NewReader(b.String()), "deep")
	if err != nil {
		t.Fatal(err)
	}
	as := s.Ancestors(1000)
	if len(as) != parse.MaxAncestors {
		t.Fatalf("%d ancestors, want %d", len(as), parse.MaxAncestors)
	}
	for _, a := range as {
		if len(a.Frames) != parse.MaxAncestorFrames || !a.Elided {
			t.Fatalf("ancestor %d: %d frames, elided %v; want %d, true", a.ID, len(a.Frames), a.Elided, parse.MaxAncestorFrames)
		}
	}
	if as[0].ID != 999 || as[len(as)-1].ID != 999-parse.MaxAncestors+1 {
		t.Errorf("kept ancestors %d..%d, want the nearest", as[0].ID, as[len(as)-1].ID)
	}
	if s.Count() != 1 {
		t.Errorf("count = %d, want 1", s.Count())
	}
}

// TestAncestryLarge reads a dump large enough for parallel lexing, where
// goroutines started by one parent share their ancestors' stacks.
func TestAncestryLarge(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1\n\n")
	const n = 30000
	for id := 2; id < n; id++ {
		parent := 1 + id%7
		fmt.Fprintf(&b, "goroutine %d [chan receive]:\nmain.worker()\n\t/app/main.go:20 +0x1\ncreated by main.start in goroutine %d\n\t/app/main.go:30 +0x2\n", id, parent)
		fmt.Fprintf(&b, "[originating from goroutine %d]:\nmain.start(...)\n\t/app/main.go:31 +0x2\ncreated by main.main\n\t/app/main.go:8 +0x3\n", parent)
		b.WriteString("[originating from goroutine 1]:\nmain.main(...)\n\t/app/main.go:8 +0x3\n\n")
	}
	if b.Len() < 5<<20 {
		t.Fatalf("dump of %d bytes: too small to be read in chunks", b.Len())
	}
	s, err := parse.Read(&b, "large")
	if err != nil {
		t.Fatal(err)
	}
	if s.Count() != n-1 || len(s.Groups) != 2 {
		t.Fatalf("%d goroutines in %d groups, want %d in 2", s.Count(), len(s.Groups), n-1)
	}
	x, y := s.Ancestors(9), s.Ancestors(16) // both started by goroutine 3
	if diff := cmp.Diff([]int64{3, 1}, ancestorIDs(x)); diff != "" {
		t.Fatalf("Ancestors(9) IDs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(x, y); diff != "" {
		t.Errorf("siblings' ancestries differ:\n%s", diff)
	}
	if &x[0].Frames[0] != &s.Ancestors(n - 1)[0].Frames[0] {
		t.Error("ancestors with one stack do not share it")
	}
}
