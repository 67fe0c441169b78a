package capture

import "runtime"

// DefaultStacksLimit is the cap [Stacks] puts on a dump: 256 MiB holds a
// few hundred thousand goroutines, and a process with more is better served
// by a truncated dump than by an allocation that may take it down.
const DefaultStacksLimit = 256 << 20

// stacksStart is the first buffer size tried. 64 KiB holds a typical
// program's dump in one go; a variable so tests can force the growth path.
var stacksStart = 64 << 10

// Stacks returns the traceback of every goroutine, as runtime.Stack(buf,
// true) prints it, growing its buffer until the dump fits (up to
// [DefaultStacksLimit]; a larger dump is cut there).
func Stacks() []byte {
	b, _ := StacksLimit(DefaultStacksLimit)
	return b
}

// StacksLimit is [Stacks] with a cap of limit bytes (limit <= 0 means
// [DefaultStacksLimit]). truncated reports that the dump filled the whole
// cap and so may have been cut: runtime.Stack cannot say whether a dump
// that exactly fills the buffer is complete.
func StacksLimit(limit int) (dump []byte, truncated bool) {
	if limit <= 0 {
		limit = DefaultStacksLimit
	}
	size := min(max(stacksStart, 1), limit)
	for {
		buf := make([]byte, size)
		n := runtime.Stack(buf, true)
		if n < size {
			return buf[:n], false
		}
		if size >= limit {
			return buf[:n], true
		}
		// Double rather than grow by a step: the dump is taken with the
		// world stopped, so the number of attempts matters more than the
		// memory of the last one.
		size = min(size*2, limit)
	}
}
