package main

import (
	"bytes"
	"runtime"
	"time"
)

// bytesPerGoroutine is a generous guess of the dump text per goroutine: about
// 1 KB at the default --depth. Guessing a bit high avoids a retry, and every
// retry is a full stop-the-world walk of all goroutines (deeper --depth
// values just pay for one).
const bytesPerGoroutine = 1280

// dumpAll returns runtime.Stack of every goroutine. runtime.Stack truncates
// silently, the only signal being n == len(buf), so the buffer doubles until
// the dump fits.
func dumpAll(goroutines int) []byte {
	size := max(goroutines*bytesPerGoroutine, 1<<20)
	for {
		buf := make([]byte, size)
		if n := runtime.Stack(buf, true); n < len(buf) {
			return buf[:n]
		}
		buf = nil
		// Let the truncated buffer go before asking for twice as much; at
		// 1M goroutines it is a gigabyte. An explicit runtime.GC runs even
		// with collection otherwise off (see generate).
		runtime.GC()
		size *= 2
	}
}

// waitParked returns a dump in which no goroutine but the caller is running
// or runnable. The parked counter is bumped just before each goroutine
// blocks, so it reaching want only means "about to block"; the dump itself is
// the proof. It gives up after a while and returns the last dump.
func waitParked(want int64, goroutines int) (dump []byte, stragglers int) {
	for bl.parked.Load() < want {
		time.Sleep(5 * time.Millisecond)
	}
	for try := 0; ; try++ {
		dump = dumpAll(goroutines)
		// The goroutine taking the dump is itself "running".
		stragglers = countUnparked(dump) - 1
		if stragglers <= 0 || try == 10 {
			return dump, max(stragglers, 0)
		}
		dump = nil
		time.Sleep(50 * time.Millisecond)
	}
}

// countUnparked counts goroutine headers ("goroutine N [state...]:") whose
// state is running or runnable. It jumps from header to header with
// bytes.Index instead of splitting lines: the dump is a gigabyte at 1M.
func countUnparked(dump []byte) int {
	n := 0
	for len(dump) > 0 {
		line := dump
		if i := bytes.IndexByte(dump, '\n'); i >= 0 {
			line = dump[:i]
		}
		if bytes.HasPrefix(line, []byte("goroutine ")) &&
			(bytes.Contains(line, []byte(" [running")) || bytes.Contains(line, []byte(" [runnable"))) {
			n++
		}
		i := bytes.Index(dump, []byte("\ngoroutine "))
		if i < 0 {
			break
		}
		dump = dump[i+1:]
	}
	return n
}
