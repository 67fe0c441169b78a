// Command go127 writes the goroutine dumps of a Go 1.27 program for
// stackdiff's tests: this module says "go 1.27", so the runtime prints each
// goroutine's pprof labels in its traceback header (Go 1.27's default for
// such a module), and the goroutine leak profile needs no experiment.
//
// It must be built by Go 1.27 or later. Regenerate the dumps from this
// directory with
//
//	GOTOOLCHAIN=go1.27.3 go run -trimpath . -all -dir ../../parse/testdata/go127
//
// -all runs every mode below in a child process of its own (built with
// -trimpath, like the dumps it writes), and the test timeout and a goleak
// failure through "go test -trimpath". One mode alone writes to standard output:
//
//	-mode stack     runtime.Stack of every goroutine
//	-mode debug1    the goroutine profile at debug=1, debug2 at debug=2
//	-mode leak0     the goroutineleak profile at debug=0 (protobuf), leak1, leak2
//	-mode sigquit   the process sends itself SIGQUIT (the dump goes to stderr)
//	-mode panic     a labelled goroutine panics (run with GOTRACEBACK=all)
//
// Every mode starts the same goroutines (see goroutines.go): labels of
// every shape the runtime prints (bare, quoted keys with spaces, escapes,
// braces and colons, non-ASCII, a value of 300 bytes) on goroutines blocked
// in the common ways, some of them leaked.
package main
