package main

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCount(t *testing.T) {
	const dump = "goroutine 1 [running]:\nmain.main()\n\n" +
		"goroutine 2 [select]:\ncreated by main.f in goroutine 1\n\n" +
		"goroutine 3 [sleep]:\n"
	for name, r := range map[string]io.Reader{
		"plain": strings.NewReader(dump),
		// One byte per Read splits every match across reads: the carried
		// tail must still find it.
		"onebyte": iotest.OneByteReader(strings.NewReader(dump)),
	} {
		if n, err := count(r); err != nil || n != 3 {
			t.Errorf("%s: count = %d, %v; want 3", name, n, err)
		}
	}
}
