package capture

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultKeep is how many dump files [Monitor] and [DumpOnSignal] keep in
// their directory unless told otherwise: a monitor that alerts once a
// minute for a month must not fill the disk.
const DefaultKeep = 20

// prune removes the oldest of the dump files in dir whose names start with
// prefix and end in ".txt", so that at most keep remain. Only regular files
// are removed; links, directories and temporary files are left alone. Age is
// the modification time, then the name (which holds the Unix nanoseconds).
func prune(dir, prefix string, keep int) error {
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
		if !e.Type().IsRegular() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".txt") {
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
		if c := a.mod.Compare(b.mod); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	var errs []error
	for _, d := range dumps[:len(dumps)-keep] {
		if err := os.Remove(filepath.Join(dir, d.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
