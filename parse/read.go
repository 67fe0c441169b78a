package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ErrNoDump is returned when an input holds no goroutine dump at all.
var ErrNoDump = errors.New("no goroutine dump found")

// ErrTooLarge is returned by [ReadAllLimit] when the input holds more bytes
// than its limit allows.
var ErrTooLarge = errors.New("input over the size limit")

// ReadAll reads every goroutine dump in r, in order: a log with two SIGQUIT
// dumps, or "cat before.txt after.txt", gives two snapshots (at most
// [MaxSnapshots] are kept, see there). name is used for
// [Snapshot.Name]. The format is detected from the content: gzip (by its
// magic bytes), the protobuf profile, or text of any of the kinds listed on
// [Format], with any junk around it.
//
// Read errors end the reading; the snapshots read so far are returned with
// the error. When r holds no dump, ReadAll returns [ErrNoDump].
func ReadAll(r io.Reader, name string) ([]*Snapshot, error) {
	return readAll(r, name, 0)
}

// ReadAllLimit is [ReadAll] reading at most limit bytes, counted after
// gzip decompression: a small gzip body cannot expand into gigabytes. An
// input with more fails with an error wrapping [ErrTooLarge], not a dump
// silently cut. limit ≤ 0 means no limit.
func ReadAllLimit(r io.Reader, name string, limit int64) ([]*Snapshot, error) {
	return readAll(r, name, limit)
}

func readAll(r io.Reader, name string, limit int64) ([]*Snapshot, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(512)
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		// Limits apply to the decompressed bytes: the text reader streams
		// them, the protobuf reader stops at maxProto, and limit counts
		// them.
		zr, err := newGunzip(br)
		if err != nil {
			return nil, err
		}
		snaps, err := readAll(zr, name, limit)
		if n := len(snaps); n > 0 {
			snaps[n-1].Warnings = append(snaps[n-1].Warnings, zr.warnings()...)
			snaps[n-1].Cut = snaps[n-1].Cut || zr.broken != ""
		}
		if zr.broken != "" && err != nil && !strings.Contains(err.Error(), "gzip") {
			err = fmt.Errorf("%w (the gzip data stops early: %s)", err, zr.broken)
		}
		return snaps, err
	}
	if limit > 0 {
		br = bufio.NewReaderSize(&limitReader{r: br, left: limit}, 64<<10)
	}
	if isProto(head) && !plainText(head) {
		return readProto(br, name)
	}
	if looksBinary(textHead(br)) {
		if c := compression(head); c != "" {
			return nil, fmt.Errorf("%w (%s data: decompress it first; only gzip is read)", ErrNoDump, c)
		}
		return nil, fmt.Errorf("%w (binary data)", ErrNoDump)
	}
	snaps, err := readText(br, name)
	if err != nil {
		return snaps, err
	}
	if len(snaps) == 0 {
		return nil, ErrNoDump
	}
	return snaps, nil
}

// Read reads the first goroutine dump in r. See [ReadAll].
func Read(r io.Reader, name string) (*Snapshot, error) {
	snaps, err := ReadAll(r, name)
	if len(snaps) == 0 {
		if err == nil {
			err = ErrNoDump
		}
		return nil, err
	}
	return snaps[0], err
}

// maxHole is the longest run of NULs skipped at the start of an input.
const maxHole = 64 << 20

// textHead skips any run of NULs at the start of the input (a hole in a
// log file that was truncated while written) and returns the next 512
// bytes, or nil when the NULs go on beyond maxHole.
func textHead(br *bufio.Reader) []byte {
	for skipped := 0; skipped < maxHole; {
		b, _ := br.Peek(br.Size())
		n := len(b) - len(bytes.TrimLeft(b, "\x00"))
		if n < len(b) || len(b) == 0 {
			br.Discard(n)
			b, _ = br.Peek(512)
			if b == nil {
				b = []byte{} // empty: text, without a dump
			}
			return b
		}
		br.Discard(n)
		skipped += n
	}
	return nil
}

// looksBinary reports whether the start of an input is not text: empty
// (nothing but NULs), or more than one byte in 16 that no text holds: NUL,
// control characters other than whitespace, backspace and escape, invalid
// UTF-8 (but a cut at the end). A Latin-1 letter or a few NULs in a log
// are not enough.
func looksBinary(head []byte) bool {
	if head == nil {
		return true
	}
	bad := 0
	for i := 0; i < len(head); {
		c := head[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && !(c >= '\b' && c <= '\r') && c != 0x1b || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 && len(head)-i > utf8.UTFMax {
			bad++
		}
		i += n
	}
	return bad*16 > len(head)
}

// plainText reports whether b holds no control characters but tab, CR and
// LF. A protobuf profile always has some (its tags and lengths): without
// this, text made of blank lines would parse as a profile.
func plainText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// limitReader reads at most left bytes of r and fails with ErrTooLarge
// when r has more: the readers stream their input, so the limit has to be
// in the reader. The failure is sticky: a bufio.Reader's Peek hands an
// error out once and forgets it.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.over {
		return 0, ErrTooLarge
	}
	if l.left <= 0 {
		// At the limit: one more byte means too large; EOF means the input
		// fitted exactly.
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 {
			return 0, err
		}
		l.over = true
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// compression names the compressed format a binary input starts with, ""
// when it is none stackdiff knows of: dumps are often kept compressed.
func compression(head []byte) string {
	for _, m := range []struct{ magic, name string }{
		{"\xfd7zXZ\x00", "xz"},
		{"BZh", "bzip2"},
		{"\x28\xb5\x2f\xfd", "zstd"},
		{"PK\x03\x04", "zip"},
		{"\x04\x22\x4d\x18", "lz4"},
	} {
		if strings.HasPrefix(string(head), m.magic) {
			return m.name
		}
	}
	return ""
}
