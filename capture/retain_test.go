package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPrune keeps the newest dumps capture wrote and touches nothing else:
// not the user's files of a similar name, not a file of our name shape
// without our marker, not a copy of one of ours under another name.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	dump := Stacks()
	write := func(name string, data []byte, age int) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mod := base.Add(time.Duration(age) * time.Minute)
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	ourDump := func(name string, age int) {
		write(name, append(dumpHeader(name), dump...), age)
	}
	for i := range 6 {
		ourDump("stackdiff-1700000000000000000-"+string(rune('1'+i))+".txt", i)
	}
	ourDump("stackdiff-1700000000000000000-10.txt", 9)             // newest: 10 sorts after 6
	write("notes.txt", dump, 0)                                    // another prefix
	write("stackdiff-notes.txt", dump, 0)                          // the user's, like ours
	write("stackdiff-1-2.txt", dump, 0)                            // our name shape, no marker
	write("stackdiff-1-3.txt", dumpHeader("stackdiff-1-1.txt"), 0) // a copy of ours
	write("stackdiff-1-4.txt", []byte(dumpMarker), 0)              // a marker naming no file
	write("stackdiff-a.txt.tmp123", dump, 0)                       // not a dump
	ourDump(".stackdiff-1-5.txt.tmp1", 0)                          // a dump being written
	if err := os.Symlink("stackdiff-1700000000000000000-1.txt", filepath.Join(dir, "stackdiff-1-6.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "stackdiff-1-7.txt"), 0o755); err != nil {
		t.Fatal(err)
	}

	if err := prune(dir, monitorDumpName, 2); err != nil {
		t.Fatal(err)
	}
	var got []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{
		".stackdiff-1-5.txt.tmp1", "notes.txt",
		"stackdiff-1-2.txt", "stackdiff-1-3.txt", "stackdiff-1-4.txt", "stackdiff-1-6.txt", "stackdiff-1-7.txt",
		"stackdiff-1700000000000000000-10.txt", "stackdiff-1700000000000000000-6.txt",
		"stackdiff-a.txt.tmp123", "stackdiff-notes.txt",
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("directory after prune (-want +got):\n%s", diff)
	}
}

// TestWriteDumpNeverReplaces: a file already at a dump's name (the
// user's, named like ours) is left as it is, and the write fails.
func TestWriteDumpNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	const name = "stackdiff-1700000000000000000-1.txt"
	user := []byte("the user's own notes\n")
	if err := os.WriteFile(filepath.Join(dir, name), user, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := writeDump(dir, name, Stacks()); err == nil {
		t.Error("writeDump over an existing file succeeded")
	}
	if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != string(user) {
		t.Errorf("existing file now %q, %v; want it unchanged", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in dir, want only the user's (no temporary file left)", len(entries))
	}
}

// TestReadmeLimitsOfPruning: the README states the pruning constants as
// the code has them.
func TestReadmeLimitsOfPruning(t *testing.T) {
	b, err := os.ReadFile("../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	for _, phrase := range []string{
		fmt.Sprintf("keep the newest %d dumps", DefaultKeep),
		fmt.Sprintf("read at most %d bytes, is the marker `%s<its name>`", maxMarkerRead, dumpMarker),
	} {
		if !strings.Contains(readme, phrase) {
			t.Errorf("README does not say %q", phrase)
		}
	}
}
