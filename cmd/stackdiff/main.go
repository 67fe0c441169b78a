package main

import (
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A dump of a million goroutines keeps about 150 MB live while it
		// is read; the default GOGC would let the heap reach twice that.
		// Collecting more often costs a few percent of time and keeps a
		// diff of two such dumps under 300 MB.
		debug.SetGCPercent(50)
	}
	c := config{readingStdin: func() {
		// "./app 2>&1 | stackdiff", then Ctrl-\ : the signal goes to the
		// whole pipeline; the app dumps, stackdiff reads on. Only the
		// process may decide that, so main does, not the code tests run.
		signal.Ignore(os.Interrupt, syscall.SIGQUIT)
	}}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
		c.passApp = true
	}
	os.Exit(runWith(c, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
