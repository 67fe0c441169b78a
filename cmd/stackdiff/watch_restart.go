package main

// restarted reports whether a dump written by goroutine now, after one
// written by goroutine last, comes from a new process. Each fetch is served
// by the goroutine of a new connection, and goroutine IDs only grow within
// a process, give or take the batches of 16 each processor takes: a writer
// far below the last one (under half of it, and over 1024 below) means the
// IDs started again. A service that restarts with fewer than about 1024
// goroutines created is not told apart.
func restarted(last, now int64) bool {
	return last > 0 && now > 0 && now*2 < last && last-now > 1024
}
