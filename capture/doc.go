// Package capture takes goroutine snapshots inside a running program and
// puts stackdiff's analysis (package classify) to work on them: in tests,
// in production, and against another process's pprof endpoint.
//
// The pieces, from the raw dump up:
//
//   - [Stacks] and [StacksLimit] return runtime.Stack(buf, true) with a
//     buffer that doubles until the dump fits, up to a cap.
//   - [Take] parses that dump into a [parse.Snapshot], without the calling
//     goroutine (capture's own stack is noise in every report).
//   - [Settle] waits until no other goroutine is running or runnable, so
//     that the next snapshot shows goroutines where they stay rather than
//     on their way there.
//   - [Diff] settles, snapshots, runs a function, settles, snapshots again
//     and compares: the goroutines the function left behind, labelled by
//     what they wait on, with a verdict.
//   - [VerifyNone] and [VerifyTestMain] are goleak-style test helpers whose
//     failure message is stackdiff's grouped table (label, count, blocking
//     site, creator, usual fix) instead of a wall of stacks. VerifyNone
//     judges only the goroutines its test started, following the dump's
//     "created by … in goroutine N" links, so parallel tests do not blame
//     each other; VerifyTestMain names the test each leak descends from.
//     Where a goroutine's parent has exited, the line breaks: use Check.
//   - [Check] labels a test's goroutine with a pprof label naming this run
//     of the test ([TestLabel]); the goroutines it starts inherit it, so at
//     the test's end Check judges exactly the test's goroutines, whatever
//     has exited in between, beside parallel tests and subtests.
//   - Where the runtime has the goroutineleak profile (Go 1.27), Check,
//     VerifyNone, Find and Diff write it (one extra GC cycle) and take its
//     "(leaked)" marks as proof: a proven leak fails at once.
//   - [IgnoreLabel] and [ByLabel] ignore goroutines, and split groups, by
//     pprof label in every entry point (Diff, VerifyNone, Find, Check, a
//     Monitor), as the CLI's --ignore label:KEY=VALUE and --by-label KEY
//     do. The labels come from the traceback headers where the runtime
//     prints them (a go 1.27 module under Go 1.27, or
//     GODEBUG=tracebacklabels=1), else from the goroutine profile's debug=1
//     records matched by stack: there, of goroutines of one stack under
//     different labels, the count under each label is exact but which
//     goroutine carries which is not known.
//   - [Monitor] watches the goroutine count of a service and, when it
//     grows past a threshold, raises a rate-limited [Alert] with a diff
//     against the quietest state seen, the raw dump, and optional files.
//   - [DumpOnSignal] writes a dump to a file on a signal such as SIGUSR1,
//     without stopping the process.
//   - Both keep only the newest [DefaultKeep] of the dump files they wrote
//     in their directory, so a lasting leak never fills a disk; a file is
//     theirs only if its name has their shape and its first line is their
//     marker, so the user's files beside them are never removed.
//   - [Fetch] downloads and parses /debug/pprof/goroutine from another
//     process, with a timeout, a size cap and errors that say what failed.
//
// Nothing here leaks: every goroutine capture starts (the monitor's, the
// signal handler's, an HTTP connection's) has an owner that ends it, and
// the package's own tests check that with go.uber.org/goleak. The one that
// may outlive its call is the parse of a [Fetch] that hit its timeout:
// Fetch returns at once, and the parse ends on its own after the little
// it had read ahead.
//
// The snapshots come from this process, so goroutines are matched by ID
// between them (IDs are never reused within a process): a goroutine is
// new exactly when its ID was not in the first snapshot.
package capture
