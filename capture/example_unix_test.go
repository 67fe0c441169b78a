//go:build unix

package capture_test

import (
	"log"
	"syscall"

	"github.com/stackdiff/stackdiff/capture"
)

// kill -USR1 <pid> writes a dump to /var/tmp/goroutines and the process
// carries on.
func ExampleDumpOnSignal() {
	stop, err := capture.DumpOnSignal("/var/tmp/goroutines", syscall.SIGUSR1)
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	// ... serve ...
}
