package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// An output file (--html) is checked before any input is read, because the
// easiest typo — "--html before.txt after.txt", as if --html took no value
// like --json — names an input as the output. The rules, in order:
//
//   - a path that is one of the inputs (the same file, also through links)
//     is refused;
//   - a path that exists and is not a regular file (a device, a FIFO, a
//     directory) is refused: renaming over it would replace the node;
//   - an existing regular file is replaced only if it is empty or already
//     holds an HTML document, so a dump is never overwritten;
//   - a symbolic link is followed: the report replaces the file it points
//     to, and the link stays a link.

// checkOutput returns the path the report will really be written to (links
// resolved), or an error that says why the output is refused.
func checkOutput(out string, inputs []string) (string, error) {
	target := out
	if fi, err := os.Lstat(out); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(out)
		if err != nil {
			return "", errors.New("a symbolic link to nothing; refusing to replace it")
		}
		target = resolved
	}
	fi, err := os.Stat(target)
	if errors.Is(err, os.ErrNotExist) {
		return target, nil
	}
	if err != nil {
		return "", unwrapPath(err)
	}
	for _, in := range inputs {
		if in == "-" || isURL(in) {
			continue
		}
		if ii, err := os.Stat(in); err == nil && os.SameFile(fi, ii) {
			return "", errors.New("is also an input; refusing to overwrite it")
		}
	}
	if !fi.Mode().IsRegular() {
		return "", errors.New("not a regular file; refusing to replace it")
	}
	if ok, err := replaceable(target); err != nil {
		return "", err
	} else if !ok {
		return "", errors.New("exists and is not an HTML report; refusing to overwrite it (--html takes a file name)")
	}
	return target, nil
}

// replaceable reports whether an existing file may be replaced by a
// report: it is empty, or it starts like an HTML document.
func replaceable(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, unwrapPath(err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return false, unwrapPath(err)
	}
	head = bytes.ToLower(bytes.TrimLeft(head[:n], " \t\r\n\ufeff"))
	return n == 0 || bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")), nil
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, renamed over path only when complete: a failed run leaves no
// half-written file. Errors name display, the path the user gave.
func writeFileAtomic(path, display string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".stackdiff-*.tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", display, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the *os.PathError wrapper, whose path may be a
// temporary file the user never named.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
