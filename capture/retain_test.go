package capture

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPrune keeps the newest dumps of one prefix and touches nothing else.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	write := func(name string, age int) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		mod := base.Add(time.Duration(age) * time.Minute)
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		write("stackdiff-"+string(rune('a'+i))+".txt", i)
	}
	write("notes.txt", 0)              // another prefix
	write("stackdiff-a.txt.tmp123", 0) // not a dump
	write(".stackdiff-x.txt.tmp1", 0)  // a dump being written
	if err := os.Symlink("notes.txt", filepath.Join(dir, "stackdiff-link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "stackdiff-dir.txt"), 0o755); err != nil {
		t.Fatal(err)
	}

	if err := prune(dir, "stackdiff-", 2); err != nil {
		t.Fatal(err)
	}
	var got []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{".stackdiff-x.txt.tmp1", "notes.txt", "stackdiff-a.txt.tmp123", "stackdiff-dir.txt", "stackdiff-e.txt", "stackdiff-f.txt", "stackdiff-link.txt"}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("directory after prune (-want +got):\n%s", diff)
	}
}
