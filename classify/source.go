package classify

import (
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/stackdiff/stackdiff/internal/regular"
)

// Timers, tickers and contexts are invisible in a stack: "<-t.C" and
// "<-ctx.Done()" are plain channel receives. When the source file of the
// blocking frame can be read, its line tells them apart.

// Bounds on source reading: a dump names whatever files it likes, and a
// dump is untrusted input.
const (
	// MaxSourceFile is the largest source file read; larger ones are
	// skipped (Go files that size are generated, and never block).
	MaxSourceFile = 4 << 20
	// MaxSourceTotal caps the bytes read from source files by one Compare.
	// A file is kept as read, one string with a sparse index of its lines
	// (one offset per lineStride lines), never as a string per line: the
	// memory sources take is about the bytes read, whatever the file holds
	// (a file of newlines was sixteen times its size as lines).
	MaxSourceTotal = 64 << 20

	// maxSourceName is the longest name looked up: no file system takes
	// a path much longer than PATH_MAX (4096 bytes), and a dump may name a
	// 90,000-character one.
	maxSourceName = 4096
	// maxSuffixTries bounds the suffixes of one file name tried in one
	// file system: a real build path has a few dozen elements.
	maxSuffixTries = 64
)

// sources finds and caches source files in the file systems it is given,
// and nowhere else. A frame's file is tried, in each file system in turn:
// under the module path of the file system's go.mod (a -trimpath build
// prints "module/path/main.go"); as an absolute path inside a [SourceDir]
// (a dump from this machine); then by ever shorter suffixes of at least two
// elements (a dump from another machine, "/build/src/...").
type sources struct {
	fss     []fs.FS
	modules []string            // per fss: the module path of its go.mod, or ""
	files   map[string]*srcText // cleaned path -> text; nil if unreadable
	left    int64               // bytes still allowed to be read
}

func newSources(fss []fs.FS) *sources {
	s := &sources{fss: fss, files: map[string]*srcText{}, left: MaxSourceTotal}
	for _, fsys := range fss {
		s.modules = append(s.modules, s.modulePath(fsys))
	}
	return s
}

// lines returns the text of file, or nil when it cannot be found or read.
func (s *sources) lines(file string) *srcText {
	if s == nil || len(s.fss) == 0 || file == "" {
		return nil
	}
	// One file spelt many ways ("/a//b.go", "/a/./b.go") is read once.
	file = path.Clean(filepath.ToSlash(file))
	if l, ok := s.files[file]; ok {
		return l
	}
	var text *srcText
	for i, fsys := range s.fss {
		if text = s.find(fsys, s.modules[i], file); text != nil {
			break
		}
	}
	s.files[file] = text
	return text
}

// find tries the candidate names of file in fsys.
func (s *sources) find(fsys fs.FS, module, file string) *srcText {
	var names []string
	if module != "" {
		if rest, ok := strings.CutPrefix(file, module+"/"); ok {
			names = append(names, rest)
		}
	}
	if d, ok := fsys.(*dirFS); ok && path.IsAbs(file) {
		if rel, ok := strings.CutPrefix(file, d.abs+"/"); ok {
			names = append(names, rel)
		}
	}
	for _, name := range names {
		if b, ok := s.try(fsys, name); ok {
			return newSrcText(b)
		}
	}
	// Ever shorter suffixes, each a substring of file: building them all
	// first would cost the square of a long path's length.
	rest, tries := strings.TrimPrefix(file, "/"), 0
	for tries < maxSuffixTries {
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			break // at least two path elements, so that a bare "main.go" does not match some other program's file
		}
		if len(rest) <= maxSourceName {
			tries++
			if b, ok := s.try(fsys, rest); ok {
				return newSrcText(b)
			}
		}
		rest = rest[slash+1:]
	}
	return nil
}

// try reads name if it is a name fsys may hold.
func (s *sources) try(fsys fs.FS, name string) (string, bool) {
	if len(name) > maxSourceName || !fs.ValidPath(name) { // "..", a rooted or empty name: never out of fsys
		return "", false
	}
	return s.read(fsys, name)
}

// read reads a regular file of at most MaxSourceFile bytes, within the
// total left.
func (s *sources) read(fsys fs.FS, name string) (string, bool) {
	// Stat before Open: opening a FIFO or a device can block for ever.
	st, err := fs.Stat(fsys, name)
	if err != nil || !st.Mode().IsRegular() || st.Size() > MaxSourceFile || st.Size() > s.left {
		return "", false
	}
	f, err := fsys.Open(name)
	if err != nil {
		return "", false
	}
	defer f.Close()
	// And after: the name may have become a FIFO in between.
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	limit := min(int64(MaxSourceFile), s.left)
	var b strings.Builder
	b.Grow(int(min(st.Size(), limit)) + 1) // one allocation for a file that keeps its size
	n, err := io.Copy(&b, io.LimitReader(f, limit+1))
	s.left -= n
	if err != nil || n > limit {
		return "", false
	}
	return b.String(), true
}

// modulePath reads the module line of fsys's go.mod, if any.
func (s *sources) modulePath(fsys fs.FS) string {
	b, ok := s.read(fsys, "go.mod")
	if !ok {
		return ""
	}
	for line := range strings.Lines(b) {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	return ""
}

// SourceDir returns a file system of the source files under the directory
// root, for [Options].Sources, with the bounds a dump from anywhere needs:
// it opens only regular files, never one under /proc, /sys or /dev, and
// never one whose resolved path (symbolic links followed) is outside root.
// Absolute paths in a dump that lie under root are found too.
func SourceDir(root string) fs.FS {
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		resolved = abs
	}
	return &dirFS{abs: filepath.ToSlash(abs), resolved: resolved}
}

// dirFS is os.DirFS with SourceDir's bounds.
type dirFS struct {
	abs      string // root as given, absolute, with slashes: to match dump paths
	resolved string // root with links resolved: the bound
}

func (d *dirFS) Open(name string) (fs.File, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	return regular.Open(p)
}

func (d *dirFS) Stat(name string) (fs.FileInfo, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	return os.Stat(p)
}

// path resolves name to a resolved path inside the root, or fails.
func (d *dirFS) path(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	p, err := filepath.EvalSymlinks(filepath.Join(d.resolved, filepath.FromSlash(name)))
	if err != nil {
		return "", err
	}
	if !within(p, d.resolved) || within(p, "/proc") || within(p, "/sys") || within(p, "/dev") {
		return "", &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return p, nil
}

// within reports whether p is dir or lies under it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

var (
	reDoneRecv   = regexp.MustCompile(`<-\s*[\w.()]*\bDone\(\)`)
	reChanC      = regexp.MustCompile(`(?:<-|range)\s*([\w.]+)\.C\b`)
	reAfter      = regexp.MustCompile(`time\.After\(`)
	reTick       = regexp.MustCompile(`time\.Tick\(`)
	reSelectCase = regexp.MustCompile(`^\s*case\b`)
)

// How far from the blocking line refine looks: the cases of a select after
// it, how a timer was made before it.
const (
	refineBefore = 200
	refineAfter  = 40
)

// refine looks at the blocking line of a chan-receive or select group and
// returns a more specific label, or the label unchanged.
func refine(l Label, lines []string, n int) Label {
	if n < 1 || n > len(lines) {
		return l
	}
	switch l {
	case ChanReceive:
		return refineRecv(l, lines[n-1], lines, n)
	case Select:
		// The blocking line is "select {"; look at its cases.
		var cases []string
		indent := leadingSpace(lines[n-1])
		for i := n; i < len(lines) && i < n+refineAfter; i++ {
			if strings.TrimSpace(lines[i]) == "}" && leadingSpace(lines[i]) == indent {
				break
			}
			if reSelectCase.MatchString(lines[i]) {
				cases = append(cases, lines[i])
			}
		}
		for _, c := range cases {
			if reDoneRecv.MatchString(c) {
				return l // it can give up: whatever it waits for, it is not a timer
			}
		}
		for _, c := range cases {
			if r := refineRecv(l, c, lines, n); r != l {
				return r
			}
		}
	}
	return l
}

func refineRecv(l Label, line string, lines []string, n int) Label {
	switch {
	case reTick.MatchString(line):
		return Ticker
	case reAfter.MatchString(line):
		return Timer
	case reDoneRecv.MatchString(line) && l == ChanReceive:
		return ContextNeverCancelled
	}
	m := reChanC.FindStringSubmatch(line)
	if m == nil {
		return l
	}
	// Find how the variable was made, looking back through the function.
	name := m[1]
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	// "t := time.NewTicker(d)", "t = time.NewTimer(d)", a parameter or
	// field "t *time.Ticker", or "var t *time.Timer".
	q := regexp.QuoteMeta(name)
	reMade := regexp.MustCompile(`\b` + q + `\b\s*(?::=|=|:)\s*time\.New(Ticker|Timer)\(|\b` + q + `\s+\*?time\.(Ticker|Timer)\b`)
	for i := n - 1; i >= 0 && i >= n-refineBefore; i-- {
		if mm := reMade.FindStringSubmatch(lines[i]); mm != nil {
			if mm[1] == "Ticker" || mm[2] == "Ticker" {
				return Ticker
			}
			return Timer
		}
	}
	return Timer // a ".C" field received from is a timer's or a ticker's
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}
