package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestGoleak leaks the labelled goroutines of start and lets goleak say
// so, for the dump writeAll keeps: goleak copies each goroutine's state
// from the runtime's header, labels and all. It runs only when asked
// (GO127_GOLEAK=1).
func TestGoleak(t *testing.T) {
	if os.Getenv("GO127_GOLEAK") == "" {
		t.Skip("writes a goleak failure; run by go127 -all")
	}
	start()
	goleak.VerifyNone(t)
}
