package main

import (
	"os"
	"runtime/debug"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A dump of a million goroutines keeps about 150 MB live while it
		// is read; the default GOGC would let the heap reach twice that.
		// Collecting more often costs a few percent of time and keeps a
		// diff of two such dumps under 300 MB.
		debug.SetGCPercent(50)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
