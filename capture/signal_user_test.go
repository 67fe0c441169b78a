//go:build unix

package capture

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// userFiles plants the user's own files, named much like capture's dumps,
// in dir, and returns a check that they are all there, unchanged.
func userFiles(t *testing.T, dir string) (intact func()) {
	t.Helper()
	want := map[string]string{}
	for _, name := range []string{"goroutines-before.txt", "goroutines-after.txt", "stackdiff-notes.txt"} {
		data := string(Stacks()) // the user's own dumps: real ones
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		want[name] = data
	}
	return func() {
		t.Helper()
		got := map[string]string{}
		for name := range want {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("the user's %s: %v", name, err)
				continue
			}
			got[name] = string(data)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the user's files changed (-want +got):\n%s", diff)
		}
	}
}

// signalDumps sends n SIGUSR1 and waits for each dump to be written.
func signalDumps(t *testing.T, log *syncBuffer, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(log.String(), "goroutine dump written to") < i {
			if time.Now().After(deadline) {
				t.Fatalf("dump %d not written after 5s:\n%s", i, log.String())
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// TestDumpOnSignalLeavesUserFiles: pruning removes only the dumps
// DumpOnSignal wrote, never the user's files of a similar name beside them,
// at a small keep and at the default one.
func TestDumpOnSignalLeavesUserFiles(t *testing.T) {
	for _, tc := range []struct {
		name          string
		keep, signals int
	}{
		{"keep-2", 2, 3},
		{"default-keep", 0, DefaultKeep + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log syncBuffer
			defer func(w io.Writer) { _stderr = w }(_stderr)
			_stderr = &log
			dir := t.TempDir()
			intact := userFiles(t, dir)
			var stop func()
			var err error
			if tc.keep == 0 {
				stop, err = DumpOnSignal(dir, syscall.SIGUSR1)
			} else {
				stop, err = DumpOnSignalKeep(dir, tc.keep, syscall.SIGUSR1)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			signalDumps(t, &log, tc.signals)
			stop()
			intact()
			keep := tc.keep
			if keep == 0 {
				keep = DefaultKeep
			}
			var dumps int
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if signalDumpName.MatchString(e.Name()) {
					dumps++
				}
			}
			if dumps != keep {
				t.Errorf("%d dumps kept, want %d", dumps, keep)
			}
			if strings.Contains(log.String(), "stackdiff: capture") {
				t.Errorf("stderr reports a problem:\n%s", log.String())
			}
		})
	}
}
