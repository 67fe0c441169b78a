package capture

import (
	"bytes"
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/stackdiff/stackdiff/internal/regular"
)

// DefaultKeep is how many dump files [Monitor] and [DumpOnSignal] keep in
// their directory unless told otherwise: a monitor that alerts once a
// minute for a month must not fill the disk.
const DefaultKeep = 20

// A dump directory may hold the user's own files, some of them named much
// like ours ("goroutines-before.txt", "stackdiff-notes.txt"). A file is
// pruned only when two things say stackdiff wrote it:
//
//   - its name has the exact shape capture gives its dumps, numbers where
//     the numbers go (goroutines-<pid>-<unix-nanos>-<seq>.txt,
//     stackdiff-<unix-nanos>-<seq>.txt), and
//   - its first line is the marker capture writes at the top of every
//     dump, naming the file itself: "stackdiff capture dump <name>". It is
//     read with a bounded read of a regular file (never a FIFO or a link).
//
// The marker line is not part of a goroutine dump; the parser skips it
// like any line before a dump.

// dumpMarker starts the first line of every dump file capture writes.
const dumpMarker = "stackdiff capture dump "

// maxMarkerRead bounds the bytes read to check a file's marker line.
const maxMarkerRead = 256

var (
	signalDumpName  = regexp.MustCompile(`^goroutines-[0-9]{1,10}-[0-9]{1,20}-[0-9]{1,20}\.txt$`)
	monitorDumpName = regexp.MustCompile(`^stackdiff-[0-9]{1,20}-[0-9]{1,20}\.txt$`)
)

// dumpHeader is the marker line of the dump file called name.
func dumpHeader(name string) []byte {
	return []byte(dumpMarker + name + "\n")
}

// ours reports whether the file dir/name was written by capture: its name
// has the shape of ours and it starts with its marker line.
func ours(dir, name string, shape *regexp.Regexp) bool {
	if !shape.MatchString(name) {
		return false
	}
	head, err := regular.ReadHead(filepath.Join(dir, name), maxMarkerRead)
	return err == nil && bytes.HasPrefix(head, dumpHeader(name))
}

// prune removes the oldest of the dump files capture wrote in dir (names
// of shape, marker inside: see above), so that at most keep remain. Only
// regular files are removed; links, directories, temporary files and
// every file capture did not write are left alone. Age is the
// modification time, then the name.
func prune(dir string, shape *regexp.Regexp, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	type dump struct {
		name string
		mod  time.Time
	}
	var dumps []dump
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !ours(dir, name, shape) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		dumps = append(dumps, dump{name, info.ModTime()})
	}
	if len(dumps) <= keep {
		return nil
	}
	slices.SortFunc(dumps, func(a, b dump) int {
		// Names of one shape differ in their numbers: the shorter number
		// is the smaller.
		return cmp.Or(a.mod.Compare(b.mod), cmp.Compare(len(a.name), len(b.name)), cmp.Compare(a.name, b.name))
	})
	var errs []error
	for _, d := range dumps[:len(dumps)-keep] {
		if err := os.Remove(filepath.Join(dir, d.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
