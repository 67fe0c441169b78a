// Package regular opens files for reading only when they are regular
// files. A FIFO, a device or a socket found by a lookup (a go.mod, a source
// file a dump names, a file a directory listing shows) may block an open or
// a read for ever, or never end: stackdiff reads those only when the user
// names them as an input.
package regular

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is returned for a path that exists but is not a regular
// file.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading if it is a regular file (symbolic links
// followed). It checks before opening, opens without waiting for a writer
// (where the system can), and checks again on the open file, so that a
// file swapped for a FIFO between the two steps is not read either.
func Open(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
		}
		return nil, err
	}
	return f, nil
}

// ReadHead returns at most n bytes from the start of the regular file at
// path: a look at a file's first line that costs n bytes whatever the
// file holds.
func ReadHead(path string, n int) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(n)))
}
