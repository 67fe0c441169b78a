package capture

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"
)

// DumpOnSignal writes a goroutine dump ([Stacks]) to
// dir/goroutines-<pid>-<unix-nanos>-<seq>.txt each time the process receives
// one of sig (syscall.SIGUSR1, say), and keeps running: unlike SIGQUIT,
// which dumps and exits, it can be used on a live service again and
// again. Each file appears whole (written aside, then renamed), and one
// line on standard error says where it is.
//
// stop unregisters the signals and returns once the goroutine that
// writes the dumps has exited; it may be called more than once. At least
// one signal is required: with none, os/signal would relay every signal,
// and an interrupt would no longer stop the process.
//
// The directory keeps the newest [DefaultKeep] of the dumps DumpOnSignal
// wrote; older ones are removed after each write. [DumpOnSignalKeep] sets
// another number. Only files DumpOnSignal wrote are ever removed: a file
// counts as one only if its name has the shape above and its first line is
// the marker "stackdiff capture dump <its name>" that DumpOnSignal writes
// before the dump. The user's own files in dir, whatever their names, are
// left alone.
func DumpOnSignal(dir string, sig ...os.Signal) (stop func(), err error) {
	return DumpOnSignalKeep(dir, DefaultKeep, sig...)
}

// DumpOnSignalKeep is [DumpOnSignal] keeping the newest keep dumps in dir
// (at least one).
func DumpOnSignalKeep(dir string, keep int, sig ...os.Signal) (stop func(), err error) {
	keep = max(keep, 1)
	if len(sig) == 0 {
		return nil, errors.New("capture: DumpOnSignal needs at least one signal")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("capture: dump directory: %w", err)
	}
	// Signals that arrive while a dump is being written are merged into
	// one more dump: a buffer of one is enough, and os/signal never
	// blocks on a full channel.
	ch := make(chan os.Signal, 1)
	quit, done := make(chan struct{}), make(chan struct{})
	w := _stderr // read once: tests may swap it while this goroutine runs
	signal.Notify(ch, sig...)
	go func() {
		defer close(done)
		seq := 0
		for {
			select {
			case <-quit:
				return
			case <-ch:
				seq++
				name := fmt.Sprintf("goroutines-%d-%d-%d.txt", os.Getpid(), time.Now().UnixNano(), seq)
				path, err := writeDump(dir, name, Stacks())
				if err == nil {
					fmt.Fprintf(w, "stackdiff: goroutine dump written to %s\n", path)
					err = prune(dir, signalDumpName, keep)
				}
				if err != nil {
					fmt.Fprintf(w, "stackdiff: %v\n", err)
				}
			}
		}
	}()
	return sync.OnceFunc(func() {
		signal.Stop(ch)
		close(quit)
		<-done
	}), nil
}
