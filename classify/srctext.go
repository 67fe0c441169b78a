package classify

import "strings"

// srcText is a source file as read: one string, and the offset of every
// lineStride-th line. Finding line n costs at most lineStride line scans,
// and the file costs its size plus one int per lineStride lines, where a
// string per line would cost 16 bytes a line (256 MiB for a 4 MiB file of
// newlines).
type srcText struct {
	data  string
	marks []int // marks[i]: the offset of line i*lineStride+1
	count int   // lines, the last one counted even without a newline
}

const lineStride = 64

func newSrcText(data string) *srcText {
	marks := make([]int, 1, strings.Count(data, "\n")/lineStride+1)
	t := &srcText{data: data, marks: marks}
	for i := 0; i < len(data); i++ {
		if data[i] != '\n' {
			continue
		}
		t.count++
		if t.count%lineStride == 0 && i+1 < len(data) {
			t.marks = append(t.marks, i+1)
		}
	}
	if data != "" && data[len(data)-1] != '\n' {
		t.count++ // a last line without a newline
	}
	return t
}

// lines returns lines from through to of the text (1-based, clipped to the
// text), without their newlines.
func (t *srcText) lines(from, to int) []string {
	if t == nil {
		return nil
	}
	from, to = max(from, 1), min(to, t.count)
	if from > to {
		return nil
	}
	out := make([]string, 0, to-from+1)
	n := (from-1)/lineStride*lineStride + 1
	off := t.marks[(from-1)/lineStride]
	for ; n <= to; n++ {
		end := strings.IndexByte(t.data[off:], '\n')
		line := t.data[off:]
		if end >= 0 {
			line = t.data[off : off+end]
		}
		if n >= from {
			out = append(out, line)
		}
		off += len(line) + 1
	}
	return out
}

// line returns line n (1-based), and whether the text has it.
func (t *srcText) line(n int) (string, bool) {
	if t == nil || n < 1 || n > t.count {
		return "", false
	}
	return t.lines(n, n)[0], true
}

// window returns the lines around line n that the refinements look at
// (refineBefore lines before it, refineAfter after) and n's position in
// them, 1-based: lines[k-1] is line n. k is 0 when the text has no line n.
func (t *srcText) window(n int) (lines []string, k int) {
	if t == nil || n < 1 || n > t.count {
		return nil, 0
	}
	from := max(n-refineBefore, 1)
	return t.lines(from, n+refineAfter), n - from + 1
}
