package main

import (
	"os"
	"testing"
)

// TestHang blocks until go test's -timeout panics, for the dump writeAll
// keeps. It runs only when asked (GO127_HANG=1).
func TestHang(t *testing.T) {
	if os.Getenv("GO127_HANG") == "" {
		t.Skip("writes a test-timeout dump; run by go127 -all")
	}
	start()
	select {}
}
