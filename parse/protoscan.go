package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// The protobuf decoder holds the whole profile in memory, and expands it:
// each location reference of a sample (one byte in the file) becomes 16
// bytes of slices. So the profile is read here first, one top-level field
// at a time: a field that is no part of a profile (the zeros after a
// profile-like head) stops the reading at once, the total is bounded by
// maxProto, and every sample's location list is cut to its MaxFrames/2
// leaf and root ends before the decoder sees it.

var errMalformedProto = errors.New("malformed profile")

// maxProtoField bounds one top-level field other than a sample: strings,
// functions, locations and mappings take a few hundred bytes each, so a
// longer one is junk, refused before it is read.
const maxProtoField = 16 << 20

// protoFieldOK reports whether a top-level field number and wire type fit
// the Profile message (see isProto).
func protoFieldOK(field, wire uint64) bool {
	if field < 1 || field > 20 {
		return false
	}
	switch wire {
	case 0:
		return true
	case 2:
		return !(field >= 7 && field <= 10) && field != 12 && field != 14
	}
	return false
}

// scanProfile reads a protobuf profile of at most limit bytes and returns
// it with long samples cut, and the number of locations cut from each
// sample, by sample index (nil when none was cut).
func scanProfile(r io.Reader, limit int) (data []byte, cuts map[int]int, err error) {
	br := bufio.NewReader(r)
	var out bytes.Buffer
	var field bytes.Buffer
	read, samples := 0, 0
	for {
		tag, n, err := readUvarint(br)
		if err == io.EOF && n == 0 {
			return out.Bytes(), cuts, nil
		}
		if err != nil {
			return nil, nil, err
		}
		read += n
		num, wire := tag>>3, tag&7
		if !protoFieldOK(num, wire) {
			return nil, nil, fmt.Errorf("%w: field %d of wire type %d at byte %d", errMalformedProto, num, wire, read-n)
		}
		if wire == 0 {
			v, m, err := readUvarint(br)
			if err != nil {
				return nil, nil, noEOF(err)
			}
			read += m
			if read > limit {
				return nil, nil, errProtoTooLarge
			}
			appendUvarint(&out, tag)
			appendUvarint(&out, v)
			continue
		}
		l, m, err := readUvarint(br)
		if err != nil {
			return nil, nil, noEOF(err)
		}
		read += m
		if read > limit || l > uint64(limit-read) {
			return nil, nil, errProtoTooLarge
		}
		if num != 2 && l > maxProtoField {
			return nil, nil, fmt.Errorf("%w: field %d of %d bytes", errMalformedProto, num, l)
		}
		read += int(l)
		field.Reset()
		// CopyN grows the buffer as bytes arrive: a length that lies
		// costs no more than the bytes that are there.
		if _, err := io.CopyN(&field, br, int64(l)); err != nil {
			return nil, nil, noEOF(err)
		}
		body := field.Bytes()
		if num == 2 {
			var cut int
			body, cut = cutSample(body)
			if cut > 0 {
				if cuts == nil {
					cuts = map[int]int{}
				}
				cuts[samples] = cut
			}
			samples++
		}
		appendUvarint(&out, tag)
		appendUvarint(&out, uint64(len(body)))
		out.Write(body)
	}
}

// cutSample rewrites a Sample message whose location list (field 1, packed
// or not) is longer than MaxFrames to keep only both ends of it, and
// returns the number of locations cut. Other fields are kept as they are;
// a message it cannot read is returned unchanged for the decoder to judge.
func cutSample(b []byte) ([]byte, int) {
	var locs capped[uint64]
	var rest bytes.Buffer
	for p := b; len(p) > 0; {
		tag, n := uvarint(p)
		if n <= 0 {
			return b, 0
		}
		start := p
		p = p[n:]
		switch wire := tag & 7; {
		case tag>>3 == 1 && wire == 0:
			v, n := uvarint(p)
			if n <= 0 {
				return b, 0
			}
			locs.add(v)
			p = p[n:]
		case tag>>3 == 1 && wire == 2:
			l, n := uvarint(p)
			if n <= 0 || l > uint64(len(p)-n) {
				return b, 0
			}
			packed := p[n : n+int(l)]
			p = p[n+int(l):]
			for len(packed) > 0 {
				v, n := uvarint(packed)
				if n <= 0 {
					return b, 0
				}
				locs.add(v)
				packed = packed[n:]
			}
		default:
			m := skipField(p, wire)
			if m < 0 {
				return b, 0
			}
			p = p[m:]
			rest.Write(start[:len(start)-len(p)])
		}
	}
	if locs.n <= MaxFrames {
		return b, 0
	}
	kept, cut := locs.result()
	var packed bytes.Buffer
	for _, v := range kept {
		appendUvarint(&packed, v)
	}
	var out bytes.Buffer
	appendUvarint(&out, 1<<3|2)
	appendUvarint(&out, uint64(packed.Len()))
	out.Write(packed.Bytes())
	out.Write(rest.Bytes())
	return out.Bytes(), cut
}

// skipField returns the length of a field's value of the given wire type
// at the start of p, or -1.
func skipField(p []byte, wire uint64) int {
	switch wire {
	case 0:
		_, n := uvarint(p)
		if n <= 0 {
			return -1
		}
		return n
	case 1:
		if len(p) < 8 {
			return -1
		}
		return 8
	case 2:
		l, n := uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return -1
		}
		return n + int(l)
	case 5:
		if len(p) < 4 {
			return -1
		}
		return 4
	}
	return -1
}

// readUvarint reads a varint from br: the value, the bytes read, and
// io.EOF only when br ended before its first byte.
func readUvarint(br *bufio.Reader) (uint64, int, error) {
	var v uint64
	for i := 0; ; i++ {
		c, err := br.ReadByte()
		if err != nil {
			if err == io.EOF && i > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, i, err
		}
		if i == 10 {
			return 0, i, fmt.Errorf("%w: varint too long", errMalformedProto)
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
}

func appendUvarint(b *bytes.Buffer, v uint64) {
	for v >= 0x80 {
		b.WriteByte(byte(v) | 0x80)
		v >>= 7
	}
	b.WriteByte(byte(v))
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: within a field, the end of
// the input is a cut.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
