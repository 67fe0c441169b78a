package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/regular"
	"github.com/stackdiff/stackdiff/internal/report"
)

// An output file (--html, --pprof) is checked before any input is read,
// because the easiest typo — "--html before.txt after.txt", as if --html
// took no value like --json — names an input as the output. The rules, in
// order:
//
//   - a path that is one of the inputs (the same file, also through links
//     or hard links), or standard input when it is read and is a file, is
//     refused;
//   - a path that exists and is not a regular file (a device, a FIFO, a
//     directory) is refused: renaming over it would replace the node;
//   - an existing regular file is replaced only if it is empty or already
//     holds a report of the same kind (an HTML document, a profile stackdiff
//     wrote), so a dump is never overwritten; to tell, at most maxOursRead
//     bytes are read, and a gzip file unpacked to at most maxOursRead;
//   - a symbolic link is followed: the report replaces the file it points
//     to, and the link stays a link; links in the directory part are
//     resolved too, so two names of one file are seen as one.
//
// The same checks run again just before each report is moved into place:
// standard input is read in between, and the file system may change while
// it is (an input renamed to the output's name, a link made).

// inputFiles is what an output must never be.
type inputFiles struct {
	paths []string // the inputs as given: files, URLs, "-"
	stdin *os.File // standard input, when it is read; nil otherwise
}

// clash says why the existing file fi may not be an output, or nil.
func (in inputFiles) clash(fi os.FileInfo) error {
	for _, p := range in.paths {
		if p == "-" || isURL(p) {
			continue
		}
		if ii, err := os.Stat(p); err == nil && os.SameFile(fi, ii) {
			return errors.New("is also an input; refusing to overwrite it")
		}
	}
	if in.stdin != nil {
		if si, err := in.stdin.Stat(); err == nil && si.Mode().IsRegular() && os.SameFile(fi, si) {
			return errors.New("is also standard input; refusing to overwrite it")
		}
	}
	return nil
}

// checkOutput returns the path the report will really be written to (links
// resolved), or an error that says why the output is refused.
func checkOutput(out string, in inputFiles, kind outputKind) (string, error) {
	target := filepath.Clean(out)
	if fi, err := os.Lstat(out); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(out)
		if err != nil {
			return "", errors.New("a symbolic link to nothing; refusing to replace it")
		}
		target = resolved
	} else if dir, err := filepath.EvalSymlinks(filepath.Dir(target)); err == nil {
		// "dirlink/x.out" and "real/x.out" are one file, existing or not.
		target = filepath.Join(dir, filepath.Base(target))
	}
	return target, recheckOutput(target, in, kind, nil)
}

// recheckOutput says why target may not be written now, or nil: it is an
// input, not a regular file, not an earlier report, or one of the outputs
// already written.
func recheckOutput(target string, in inputFiles, kind outputKind, written []string) error {
	for _, w := range written {
		if sameTarget(w, target) {
			return errors.New("is also another output; refusing to overwrite it")
		}
	}
	fi, err := os.Stat(target)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return unwrapPath(err)
	}
	if err := in.clash(fi); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file; refusing to replace it")
	}
	if ok, err := replaceable(target, kind); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("exists and is not %s; refusing to overwrite it (the flag takes a file name)", kind.what)
	}
	return nil
}

// outputKind says what an output file holds, to recognise an old one.
type outputKind struct {
	what string // "an HTML report"
	// ours reports whether data, the start of an existing non-empty file
	// (at most maxOursRead bytes; whole if shorter), is an earlier output.
	ours func(data []byte, whole bool) bool
}

// maxOursRead bounds what is read of an existing output to recognise it,
// and what a gzip one may unpack to.
const maxOursRead = 4 << 20

var (
	htmlOutput = outputKind{"an HTML report", func(data []byte, _ bool) bool {
		head := bytes.ToLower(bytes.TrimLeft(data[:min(len(data), 512)], " \t\r\n\ufeff"))
		return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
	}}
	// A goroutine profile fetched from /debug/pprof/goroutine is a pprof
	// file too, and may be an input: only stackdiff's own are replaced.
	pprofOutput = outputKind{"a profile written by stackdiff", func(data []byte, whole bool) bool {
		if !whole {
			return false
		}
		data, ok := gunzipBounded(data, maxOursRead)
		if !ok {
			return false
		}
		p, err := profile.ParseUncompressed(data)
		return err == nil && slices.Contains(p.Comments, report.ProfileComment)
	}}
)

// gunzipBounded returns data unpacked if it is gzip, as is if not; false
// if it is broken or unpacks to more than limit bytes (a small file of
// zeros unpacks to gigabytes).
func gunzipBounded(data []byte, limit int64) ([]byte, bool) {
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		return data, true
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, false
	}
	raw, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil || int64(len(raw)) > limit {
		return nil, false
	}
	return raw, true
}

// replaceable reports whether an existing file may be replaced by a new
// output of kind: it is empty, or an earlier output of that kind.
func replaceable(path string, kind outputKind) (bool, error) {
	f, err := regular.Open(path)
	if err != nil {
		return false, unwrapPath(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxOursRead+1))
	if err != nil {
		return false, unwrapPath(err)
	}
	if len(data) == 0 {
		return true, nil
	}
	whole := len(data) <= maxOursRead
	return kind.ours(data[:min(len(data), maxOursRead)], whole), nil
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, renamed over path only when complete and when check, run
// just before, allows it: a failed run leaves no half-written file. A file
// replaced keeps its permissions (a 0600 report stays private); a new one
// is 0644. Errors name display, the path the user gave.
func writeFileAtomic(path, display string, check func() error, write func(io.Writer) error) error {
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
	if err := check(); err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	if err := os.Chmod(f.Name(), perm); err != nil {
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

// output is one report file a flag asks for.
type output struct {
	flag, path string // as the user gave them
	kind       outputKind
	write      func(io.Writer, *classify.Report) error
	target     string // path with links resolved, once checked
}

// relPath returns the function --lines uses to print a file name: found
// under the first of --source-root and the current directory that holds
// it, either as an absolute path under it or, for a -trimpath build, under
// the module path its go.mod names ("example.com/app/api.go" is api.go at
// the root of example.com/app's checkout), then written relative to the
// current directory when it lies under it (so an editor started here opens
// it), else relative to its root. Other names are printed as the dump
// gives them.
func (c *config) relPath() func(string) string {
	type root struct{ dir, module string }
	var roots []root
	for _, r := range append(append([]string{}, c.sourceRoots...), ".") {
		if abs, err := filepath.Abs(r); err == nil {
			roots = append(roots, root{abs, modulePath(abs)})
		}
	}
	cwd, _ := filepath.Abs(".")
	// shown is the found file as printed: from here if it is under here.
	shown := func(dir, abs string) string {
		if rel, ok := under(cwd, abs); ok {
			return rel
		}
		rel, _ := under(dir, abs)
		return rel
	}
	return func(file string) string {
		if file == "" {
			return "-"
		}
		native := filepath.FromSlash(file)
		for _, r := range roots {
			if filepath.IsAbs(native) {
				if _, ok := under(r.dir, native); ok {
					return shown(r.dir, native)
				}
			} else if rest, ok := strings.CutPrefix(file, r.module+"/"); ok && r.module != "" {
				abs := filepath.Join(r.dir, filepath.FromSlash(rest))
				if _, err := os.Stat(abs); err == nil {
					return shown(r.dir, abs)
				}
			}
		}
		return file
	}
}

// under returns path relative to dir, with forward slashes, when it lies
// under dir.
func under(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// modulePath reads the module line of dir/go.mod, or "". Only a regular
// go.mod is read: a FIFO there would block for ever, a device never end.
func modulePath(dir string) string {
	f, err := regular.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	return ""
}

// sameTarget reports whether two output paths (as checkOutput resolved
// them) name one file: the same path, or one existing file.
func sameTarget(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if pa, err := filepath.Abs(a); err == nil {
		if pb, err := filepath.Abs(b); err == nil && pa == pb {
			return true
		}
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
