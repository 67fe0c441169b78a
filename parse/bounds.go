package parse

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// Bounds on what one input may cost. Every one of them is far beyond what a
// real dump holds; they are there so that a hostile or broken input (a
// generated profile, `yes 'goroutine 1 [running]:'`) gives a warning and a
// bounded result, never gigabytes of memory or output.
const (
	// MaxFrames is the number of frames kept per stack, in every format:
	// the runtime never prints more than 100 per goroutine. Longer stacks
	// keep their MaxFrames/2 leaf and MaxFrames/2 root frames; the frames
	// cut are counted in Elided.
	MaxFrames = 100

	// MaxSnapshots is the number of snapshots ReadAll keeps per input: the
	// first, the last and evenly spaced ones between them. A warning on
	// the last snapshot says how many were dropped.
	MaxSnapshots = 100

	// MaxCount bounds the goroutines of one snapshot, and so any count of
	// a debug=1 record or protobuf sample. Every goroutine takes at least
	// a 2 KiB stack: a billion of them is 2 TiB of memory. Records beyond
	// it, and counts ≤ 0, are skipped with a warning, so sums never
	// overflow.
	MaxCount = 1 << 30
	// MaxWarnings bounds the warnings kept per snapshot: a dump of a
	// million header-only goroutines gives a hundred lines and a count of
	// the rest, not a million lines.
	MaxWarnings = 100

	// MaxFuncName and MaxFileName bound a function name and a file path
	// read from a protobuf profile. A profile names each function once
	// and refers to it from every sample in a byte or two: a name of a
	// megabyte shared by thousands of distinct stacks would be hashed,
	// escaped and printed once per stack. A longer name keeps its start
	// and a digest of the whole, so distinct names stay apart. Real names
	// are far shorter (type arguments are elided to "[...]" first).
	MaxFuncName = 1024
	MaxFileName = 4096
)

// boundName cuts s to about max bytes: its start, then "…(sha256 " and
// 16 hex digits of the whole's digest.
func boundName(s string, max int) string {
	if len(s) <= max {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	cut := max - 32
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(sha256 " + hex.EncodeToString(sum[:8]) + ")"
}

// capped keeps the first and last MaxFrames/2 items of a sequence that is
// being read (the frames of a stack), in memory bounded by MaxFrames
// whatever its length.
type capped[T any] struct {
	items []T // the first half, then a ring of the last half
	n     int // items added
}

func (c *capped[T]) add(v T) {
	const half = MaxFrames / 2
	if len(c.items) < MaxFrames {
		c.items = append(c.items, v)
	} else {
		c.items[half+(c.n-MaxFrames)%half] = v
	}
	c.n++
}

// result returns the items kept, in order, and how many were cut between.
func (c *capped[T]) result() (items []T, cut int) {
	const half = MaxFrames / 2
	if c.n <= MaxFrames {
		return c.items, 0
	}
	// The ring's oldest item is the next one to be overwritten.
	ring := c.items[half:]
	start := (c.n - MaxFrames) % half
	out := make([]T, 0, MaxFrames)
	out = append(out, c.items[:half]...)
	out = append(out, ring[start:]...)
	out = append(out, ring[:start]...)
	return out, c.n - MaxFrames
}

// frameCap keeps the two ends of a stack being read.
type frameCap = capped[Frame]

// capFrames cuts a stack to MaxFrames frames, keeping both ends, and
// returns the number of frames cut.
func capFrames(frames []Frame) ([]Frame, int) {
	if len(frames) <= MaxFrames {
		return frames, 0
	}
	const half = MaxFrames / 2
	out := make([]Frame, 0, MaxFrames)
	out = append(out, frames[:half]...)
	out = append(out, frames[len(frames)-half:]...)
	return out, len(frames) - MaxFrames
}

// addElided adds cut frames to an elided count; -1 ("additional frames
// elided", a number not known) stays -1.
func addElided(elided, cut int) int {
	if elided < 0 {
		return elided
	}
	return elided + cut
}

// snapshotSample keeps at most MaxSnapshots of the snapshots of one input,
// as they are read: the first, the last, and every stride-th between, the
// stride doubling each time the kept ones fill up. Memory stays bounded
// however many dumps a stream holds.
type snapshotSample struct {
	n      int   // snapshots read
	idx    []int // the index of each kept snapshot
	stride int
	last   *Snapshot // the latest snapshot, when not among the kept ones
}

// add records snapshot s and returns the kept ones.
func (k *snapshotSample) add(kept []*Snapshot, s *Snapshot) []*Snapshot {
	i := k.n
	k.n++
	if k.stride == 0 {
		k.stride = 1
	}
	if len(kept) == MaxSnapshots {
		kept = k.thin(kept)
	}
	if i%k.stride != 0 {
		k.last = s
		return kept
	}
	k.last = nil
	k.idx = append(k.idx, i)
	return append(kept, s)
}

// thin doubles the stride and drops the kept snapshots off it.
func (k *snapshotSample) thin(kept []*Snapshot) []*Snapshot {
	k.stride *= 2
	j := 0
	for x, s := range kept {
		if k.idx[x]%k.stride == 0 {
			kept[j], k.idx[j] = s, k.idx[x]
			j++
		}
	}
	clear(kept[j:])
	k.idx = k.idx[:j]
	return kept[:j]
}

// finish returns the kept snapshots with the last one read, and a warning
// on it when some were dropped.
func (k *snapshotSample) finish(kept []*Snapshot) []*Snapshot {
	if k.last != nil {
		if len(kept) == MaxSnapshots {
			kept = k.thin(kept)
		}
		kept = append(kept, k.last)
		k.last = nil
	}
	if dropped := k.n - len(kept); dropped > 0 {
		s := kept[len(kept)-1]
		s.Warnings = append(s.Warnings, fmt.Sprintf(
			"%d dumps in this input: kept the first, the last and every %d%s between; %d dropped (at most %d are kept)",
			k.n, k.stride, ordinalSuffix(k.stride), dropped, MaxSnapshots))
	}
	return kept
}

func ordinalSuffix(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return "th"
	case n%10 == 1:
		return "st"
	case n%10 == 2:
		return "nd"
	case n%10 == 3:
		return "rd"
	}
	return "th"
}
