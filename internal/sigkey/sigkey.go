// Package sigkey builds the keys that identify a group of goroutines in a
// memory bounded whatever the stack: a key is the group's signature text
// when that is short, and its start and a digest of the whole when it is
// not.
//
// A protobuf profile names each location once and refers to it from every
// sample that holds it, in a byte or two: 20,000 samples of 100 shared
// locations are a 121 KB file, and their full signature texts were 160 MB
// in parse and as much again in classify. With the cap a key costs at most
// Max bytes more than its digest, so the keys follow the number of groups,
// not the length of their stacks times the length of their names.
package sigkey

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"unicode/utf8"
)

// Max is the length of the longest key kept as its text. A longer
// signature becomes its first Max bytes or a little less (a character is
// never cut), then Marker and the hex SHA-256 of the whole signature. Equal
// signatures give equal keys; an uncapped key is never longer than Max and
// a capped one always is, so the two never meet.
const Max = 1024

// Marker separates a capped key's start from the digest of its signature.
const Marker = "\n…sha256 "

// Builder writes a signature and returns its key. The zero value is ready.
type Builder struct {
	b   strings.Builder
	h   hash.Hash // nil until the signature passes Max
	buf [512]byte // feeds strings to h without a copy of each
}

// Grow makes room for n more bytes of text, up to what a key keeps.
func (k *Builder) Grow(n int) {
	if k.h == nil {
		k.b.Grow(min(n, Max-k.b.Len()) + len(Marker) + 2*sha256.Size)
	}
}

// WriteString adds s to the signature.
func (k *Builder) WriteString(s string) {
	if k.h == nil {
		if k.b.Len()+len(s) <= Max {
			k.b.WriteString(s)
			return
		}
		k.h = sha256.New()
		k.hash(k.b.String())
		cut := Max - k.b.Len()
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		k.b.WriteString(s[:cut])
	}
	k.hash(s)
}

// WriteByte adds c to the signature.
func (k *Builder) WriteByte(c byte) error {
	if k.h == nil && k.b.Len() < Max {
		return k.b.WriteByte(c)
	}
	k.WriteString(string([]byte{c}))
	return nil
}

func (k *Builder) hash(s string) {
	for len(s) > 0 {
		n := copy(k.buf[:], s)
		k.h.Write(k.buf[:n])
		s = s[n:]
	}
}

// String returns the key of what was written.
func (k *Builder) String() string {
	if k.h == nil {
		return k.b.String()
	}
	var d [sha256.Size]byte
	return k.b.String() + Marker + hex.EncodeToString(k.h.Sum(d[:0]))
}

// Digest returns the SHA-256 of a key's signature: the digest a capped key
// carries, or the digest of an uncapped key's text. It is the same for a
// signature whether or not its key was capped.
func Digest(key string) [sha256.Size]byte {
	if len(key) > Max {
		if i := strings.LastIndex(key, Marker); i >= 0 && len(key)-i-len(Marker) == 2*sha256.Size {
			var d [sha256.Size]byte
			if _, err := hex.Decode(d[:], []byte(key[i+len(Marker):])); err == nil {
				return d
			}
		}
	}
	return sha256.Sum256([]byte(key))
}
