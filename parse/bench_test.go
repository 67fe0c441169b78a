package parse_test

import (
	"bytes"
	"testing"

	"github.com/stackdiff/stackdiff/parse"
)

// BenchmarkRead reads the 100 002-goroutine dump, decompressed once
// beforehand: the text path alone, in MB/s of dump.
func BenchmarkRead(b *testing.B) {
	dump := gunzip(b, readTestdata(b, "generated/stack_100k_goroutines.txt.gz"))
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := parse.Read(bytes.NewReader(dump), "100k")
		if err != nil || s.Count() != 100002 {
			b.Fatalf("%v, %d goroutines", err, s.Count())
		}
	}
}
