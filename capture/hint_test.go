package capture

import (
	"strings"
	"testing"
)

// deepBlock parks n frames deep until ch is closed, so that a report
// cuts its stack.
//
//go:noinline
func deepBlock(n int, ch chan struct{}) {
	if n > 0 {
		deepBlock(n-1, ch)
		return
	}
	<-ch
}

// TestVerifyNoneNamesNoFlags: a failed test's report has no stackdiff
// command line, so it must not tell the reader to use one.
func TestVerifyNoneNamesNoFlags(t *testing.T) {
	ch := make(chan struct{})
	done := make(chan struct{})
	go func() { deepBlock(12, ch); close(done) }()
	defer func() { close(ch); <-done }()
	var ft fakeT
	VerifyNone(&ft, short)
	if len(ft.errs) != 1 {
		t.Fatalf("%d errors, want 1: %q", len(ft.errs), ft.errs)
	}
	msg := ft.errs[0]
	if !strings.Contains(msg, "more frames") {
		t.Errorf("the 13-frame stack was not cut at 8 frames:\n%s", msg)
	}
	for _, flag := range []string{"--frames", "--all"} {
		if strings.Contains(msg, flag) {
			t.Errorf("VerifyNone's report names the CLI flag %s:\n%s", flag, msg)
		}
	}
}
