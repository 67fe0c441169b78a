package sigkey

import (
	"crypto/sha256"
	"strings"
	"testing"
	"unicode/utf8"
)

// build writes parts one at a time, as the signatures are written.
func build(parts ...string) string {
	var k Builder
	k.Grow(100)
	for _, p := range parts {
		if len(p) == 1 {
			k.WriteByte(p[0])
		} else {
			k.WriteString(p)
		}
	}
	return k.String()
}

func TestKeys(t *testing.T) {
	frame := "net/http.(*persistConn).readLoop /usr/local/go/src/net/http/transport.go:2395"
	for _, tc := range []struct {
		name  string
		parts []string
	}{
		{"short", []string{"chan send", "\n", frame}},
		{"at the cap", []string{strings.Repeat("x", Max-1), "\n"}},
		{"just past it", []string{strings.Repeat("x", Max), "\n"}},
		{"many frames", strings.Split(strings.Repeat("\n"+frame, 300), "\n")},
		{"a long name", []string{"select", "\n", strings.Repeat("é", 1<<20), " ", "f.go:1"}},
		{"a character at the cut", []string{strings.Repeat("x", Max-1), "é"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := strings.Join(tc.parts, "")
			key := build(tc.parts...)
			if len(full) <= Max {
				if key != full {
					t.Errorf("key %q, want the signature itself", key)
				}
			} else {
				if len(key) <= Max || len(key) > Max+len(Marker)+2*sha256.Size {
					t.Errorf("a key of %d bytes for a signature of %d", len(key), len(full))
				}
				if !strings.HasPrefix(full, key[:strings.LastIndex(key, Marker)]) {
					t.Errorf("the key does not start as the signature does")
				}
			}
			if !utf8.ValidString(key) {
				t.Errorf("key cuts a character: %q", key[max(0, len(key)-100):])
			}
			if got, want := Digest(key), sha256.Sum256([]byte(full)); got != want {
				t.Errorf("Digest = %x, want the signature's %x", got, want)
			}
			// The same signature written in other pieces gives the same key.
			if again := build(full); again != key {
				t.Errorf("written whole, the key is %q, not %q", again, key)
			}
		})
	}
	if build(strings.Repeat("a", 5000)) == build(strings.Repeat("a", 4999)+"b") {
		t.Error("two signatures that differ past the cap have one key")
	}
}
