package capture

import (
	"bytes"
	"testing"

	"github.com/stackdiff/stackdiff/parse"
)

func TestStacksGrowsBuffer(t *testing.T) {
	defer func(n int) { stacksStart = n }(stacksStart)
	stacksStart = 16 // far too small: only the doubling can make it fit
	l := StartLeaks(50)
	defer l.Release()
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}

	dump, truncated := StacksLimit(0)
	if truncated {
		t.Fatalf("dump of %d bytes reported truncated", len(dump))
	}
	if len(dump) <= 16 || !bytes.HasSuffix(dump, []byte("\n")) {
		t.Fatalf("dump not grown or cut: %d bytes, ends %q", len(dump), dump[max(0, len(dump)-20):])
	}
	s, err := parse.Read(bytes.NewReader(dump), "grown")
	if err != nil {
		t.Fatal(err)
	}
	if n := countFunc(s, BlockSendFunc); n != 50 {
		t.Errorf("grown dump holds %d blocked senders, want 50", n)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("grown dump has warnings: %q", s.Warnings)
	}
	s, err = parse.Read(bytes.NewReader(Stacks()), "default")
	if err != nil || countFunc(s, BlockSendFunc) != 50 {
		t.Errorf("Stacks: %d blocked senders, error %v; want 50, nil", countFunc(s, BlockSendFunc), err)
	}
}

func TestStacksLimitTruncates(t *testing.T) {
	l := StartLeaks(50) // a dump well over 2 KiB
	defer l.Release()
	dump, truncated := StacksLimit(2048)
	if !truncated || len(dump) != 2048 {
		t.Fatalf("StacksLimit(2048) = %d bytes, truncated %v; want 2048, true", len(dump), truncated)
	}
	// The cut dump still parses, with a warning for the cut goroutine at
	// most: a truncated dump is still worth reading.
	if _, err := parse.Read(bytes.NewReader(dump), "cut"); err != nil {
		t.Errorf("truncated dump does not parse: %v", err)
	}
}

// countFunc counts the goroutines of s with fn in their stack.
func countFunc(s *parse.Snapshot, fn string) int {
	n := 0
	for _, g := range s.Groups {
		for _, f := range g.Frames {
			if f.Func == fn {
				n += g.Count
				break
			}
		}
	}
	return n
}
