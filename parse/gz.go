package parse

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// gunzip decompresses gzip members (RFC 1952) one after the other, like
// compress/gzip, but tells a stream that lacks only its 8-byte trailer (a
// copy cut at the very end: every byte of data is there) from one cut
// inside the compressed data, and says each error once ("gzip: invalid
// checksum", never "gzip: gzip: ...").
type gunzip struct {
	r    *bufio.Reader
	fr   io.ReadCloser
	crc  uint32
	size uint32
	err  error
	// noTrailer is set when the data ended where the trailer should be.
	noTrailer bool
	// trailing is set when bytes that are not a gzip member follow one.
	trailing bool
	// broken says why the compressed data stopped before its end.
	broken string
}

var (
	errGzipHeader   = errors.New("gzip: invalid header")
	errGzipChecksum = errors.New("gzip: invalid checksum")
)

func newGunzip(r *bufio.Reader) (*gunzip, error) {
	z := &gunzip{r: r}
	if err := z.header(); err != nil {
		return nil, err
	}
	return z, nil
}

// header reads a member header and starts its decompressor.
func (z *gunzip) header() error {
	var h [10]byte
	if _, err := io.ReadFull(z.r, h[:]); err != nil {
		return gzipErr(noEOF(err))
	}
	if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 {
		return errGzipHeader
	}
	flg := h[3]
	if flg&4 != 0 { // FEXTRA
		var l [2]byte
		if _, err := io.ReadFull(z.r, l[:]); err != nil {
			return gzipErr(noEOF(err))
		}
		if _, err := z.r.Discard(int(binary.LittleEndian.Uint16(l[:]))); err != nil {
			return gzipErr(noEOF(err))
		}
	}
	for _, bit := range []byte{8, 16} { // FNAME, FCOMMENT: zero-terminated
		if flg&bit != 0 {
			if _, err := z.r.ReadSlice(0); err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return gzipErr(noEOF(err))
			}
		}
	}
	if flg&2 != 0 { // FHCRC
		if _, err := z.r.Discard(2); err != nil {
			return gzipErr(noEOF(err))
		}
	}
	z.crc, z.size = 0, 0
	if z.fr == nil {
		z.fr = flate.NewReader(z.r)
	} else if err := z.fr.(flate.Resetter).Reset(z.r, nil); err != nil {
		return gzipErr(err)
	}
	return nil
}

func (z *gunzip) Read(p []byte) (int, error) {
	for z.err == nil {
		n, err := z.fr.Read(p)
		z.crc = crc32.Update(z.crc, crc32.IEEETable, p[:n])
		z.size += uint32(n)
		if err == nil {
			return n, nil
		}
		if err != io.EOF {
			// Cut short or damaged in the middle (a log rotated away, a
			// download stopped): what came before is kept, with a warning,
			// as for a plain dump cut off.
			z.broken = gzipErr(err).Error()
			z.err = io.EOF
			return n, nil
		}
		z.err = z.trailer()
		if n > 0 {
			return n, nil
		}
	}
	return 0, z.err
}

// trailer checks a member's trailer, then starts the next member if there
// is one. It returns io.EOF at the end of the input.
func (z *gunzip) trailer() error {
	var t [8]byte
	if n, err := io.ReadFull(z.r, t[:]); err != nil {
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			return gzipErr(err)
		}
		if n >= 4 && binary.LittleEndian.Uint32(t[:4]) != z.crc {
			return errGzipChecksum
		}
		z.noTrailer = true
		return io.EOF
	}
	if binary.LittleEndian.Uint32(t[:4]) != z.crc || binary.LittleEndian.Uint32(t[4:]) != z.size {
		return errGzipChecksum
	}
	next, err := z.r.Peek(2)
	if len(next) == 0 && err == io.EOF {
		return io.EOF
	}
	if len(next) < 2 || next[0] != 0x1f || next[1] != 0x8b {
		// Padding or junk after the data (compress/gzip calls it an
		// invalid header): what was read is kept.
		z.trailing = true
		return io.EOF
	}
	return z.header()
}

// warnings says what the end of the stream was missing.
func (z *gunzip) warnings() []string {
	var w []string
	if z.noTrailer {
		w = append(w, "the gzip data ends without its trailer (checksum and size): read as it is")
	}
	if z.trailing {
		w = append(w, "ignored bytes after the gzip data")
	}
	if z.broken != "" {
		w = append(w, "the gzip data stops early ("+z.broken+"): read what came before")
	}
	return w
}

func gzipErr(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return fmt.Errorf("gzip: %w", err)
}
