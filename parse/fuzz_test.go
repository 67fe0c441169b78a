package parse_test

import (
	"bytes"
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/parse"
)

// FuzzRead feeds arbitrary input to ReadAll. Seeds: every corpus file but
// the 100k-goroutine dump (32 MB once decompressed, too slow per run), and
// the uncompressed protobuf profiles.
func FuzzRead(f *testing.F) {
	for _, tc := range corpus {
		if strings.Contains(tc.name, "100k") {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(tc.name)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		if strings.HasSuffix(tc.name, ".pb.gz") {
			f.Add(gunzip(f, b))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		snaps, err := parse.ReadAll(bytes.NewReader(data), "fuzz")
		if err == nil && len(snaps) == 0 {
			t.Fatal("no snapshot and no error")
		}
		if errors.Is(err, parse.ErrNoDump) && len(snaps) != 0 {
			t.Fatalf("ErrNoDump with %d snapshots", len(snaps))
		}
		for _, s := range snaps {
			checkSnapshot(t, s)
		}
	})
}

// checkSnapshot checks the invariants documented on Snapshot and Group.
func checkSnapshot(t *testing.T, s *parse.Snapshot) {
	t.Helper()
	sum := 0
	keys := map[string]bool{}
	for i, g := range s.Groups {
		if g == nil {
			t.Fatalf("%s: nil group", s.Name)
		}
		if g.Count <= 0 || g.Count > parse.MaxCount {
			t.Errorf("%s: group %q has count %d", s.Name, g.Key, g.Count)
		}
		sum += g.Count
		if keys[g.Key] {
			t.Errorf("%s: key %q twice", s.Name, g.Key)
		}
		keys[g.Key] = true
		switch s.Format {
		case parse.FormatStack, parse.FormatGoleak, parse.FormatRace:
			if g.Count != len(g.Members) {
				t.Errorf("%s: group %q count %d, %d members", s.Name, g.Key, g.Count, len(g.Members))
			}
		default:
			if len(g.Members) != 0 {
				t.Errorf("%s: aggregated group with %d members", s.Name, len(g.Members))
			}
		}
		if i > 0 {
			p := s.Groups[i-1]
			if c := cmp.Compare(g.Count, p.Count); c > 0 || c == 0 && g.Key <= p.Key {
				t.Errorf("%s: groups %d and %d out of order", s.Name, i-1, i)
			}
		}
	}
	if e := s.Event; e != nil {
		checkEvent(t, s, e)
	}
	if sum > parse.MaxCount {
		t.Errorf("%s: %d goroutines, more than MaxCount", s.Name, sum)
	}
	if s.Count() != sum {
		t.Errorf("%s: Count() = %d, groups sum to %d", s.Name, s.Count(), sum)
	}
	if s.Format != parse.FormatDebug1 && s.Format != parse.FormatProto && len(s.Goroutines()) != sum {
		t.Errorf("%s: %d goroutines, count %d", s.Name, len(s.Goroutines()), sum)
	}
}

// checkEvent checks the bounds documented on Event and that the goroutine it
// names is one of the snapshot's.
func checkEvent(t *testing.T, s *parse.Snapshot, e *parse.Event) {
	t.Helper()
	switch e.Kind {
	case parse.EventPanic, parse.EventFatal, parse.EventDeadlock, parse.EventTestTimeout,
		parse.EventSignal, parse.EventRace, parse.EventGoleak:
	default:
		t.Errorf("%s: event kind %q", s.Name, e.Kind)
	}
	if len(e.Message) > 4<<10 || strings.Count(e.Message, "\n") >= 16 {
		t.Errorf("%s: event message of %d bytes, %d lines", s.Name, len(e.Message), strings.Count(e.Message, "\n")+1)
	}
	n := 0
	for _, name := range e.Tests {
		n += len(name)
	}
	if n > 64<<10 {
		t.Errorf("%s: %d bytes of test names", s.Name, n)
	}
	if e.Goroutine != 0 && !slices.ContainsFunc(s.Groups, func(g *parse.Group) bool { return slices.Contains(g.IDs(), e.Goroutine) }) {
		t.Errorf("%s: event names goroutine %d, not in the snapshot", s.Name, e.Goroutine)
	}
}
