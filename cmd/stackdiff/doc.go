// Stackdiff compares Go goroutine dumps and reports which goroutine groups
// grew, what each is blocked on, and which look leaked.
//
// Usage:
//
//	stackdiff [flags] BEFORE AFTER     compare two dumps
//	stackdiff [flags] DUMP             postmortem summary of one dump
//	stackdiff [flags] D1 D2 D3 ...     a series: first against last
//	stackdiff [flags] [-]              read the dump(s) from standard input
//
// Inputs may be runtime.Stack output, /debug/pprof/goroutine?debug=2 or
// debug=1, panic and SIGQUIT crash output with log noise around it, and gzip
// files of any of them. One input may hold several dumps; each is a
// snapshot, in order.
//
// # Exit status
//
// 0 when no group has verdict leak (or the --fail-on verdict), 1 when one
// has, 2 on trouble: bad flags, unreadable input, no goroutine dump found.
package main
