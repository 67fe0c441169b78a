package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxLine is the longest line kept. Longer lines (a 1 GB line of junk, a
// binary blob) are skipped in pieces, so memory stays bounded whatever the
// input; no real stack line comes near it.
const maxLine = 1 << 20

// lineReader yields the lines of r without their "\n" or "\r\n". A line is
// valid until the next call to next.
type lineReader struct {
	r    *bufio.Reader
	long int // lines longer than maxLine, skipped
	n    int // lines read
	// cut is set when the input ended inside a line (no final newline).
	cut bool
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, maxLine)}
}

// next returns the next line, or io.EOF at the end. Other errors are read
// errors of the underlying reader.
func (l *lineReader) next() ([]byte, error) {
	for {
		line, err := l.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			l.long++
			if err := l.skipRest(); err != nil && err != io.EOF {
				return nil, err
			}
			continue
		}
		if err != nil && (err != io.EOF || len(line) == 0) {
			return nil, err
		}
		l.n++
		l.cut = err == io.EOF
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		return line, nil
	}
}

// skipRest discards the remainder of an over-long line.
func (l *lineReader) skipRest() error {
	for {
		_, err := l.r.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}
