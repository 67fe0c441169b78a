package term

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestNotTerminals: what a test can open without a terminal is never one,
// /dev/null included (a character device that is not a terminal).
func TestNotTerminals(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cases := map[string]any{"file": f, "pipe": w, "buffer": &bytes.Buffer{}, "nil": nil}
	if null, err := os.Open(os.DevNull); err == nil {
		defer null.Close()
		cases["devnull"] = null
	}
	for name, v := range cases {
		if IsTerminal(v) || Width(v) != 0 {
			t.Errorf("%s: IsTerminal %v, Width %d; want false, 0", name, IsTerminal(v), Width(v))
		}
	}
}
