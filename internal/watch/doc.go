// Package watch follows live services through their net/http/pprof
// endpoints and tells what their goroutines do, as it happens. It never
// prints: it hands typed [Event]s to a sink, and the command prints them.
//
// The pipeline, each round (every [Options].Interval, until
// [Options].Count rounds or the context ends):
//
//  1. Fetch every target, at most a few at once (capture.Fetch, with one
//     client from capture.NewClient). A debug=2 target is asked for the
//     goroutineleak profile first, for the GC's proof, and falls back to
//     the goroutine profile where the profile is not served (a 404, told
//     by the status of capture.FetchError, never by its text).
//  2. As each dump arrives, one at a time: note its writer (the pprof
//     handler's goroutine, whose ID tells a restarted process), take out
//     the goroutines that only serve the fetch (parse's DropWriters), split
//     groups by label as asked, keep the largest groups (a bounded state,
//     see [MaxTracked]), and compare it with the target's first dump
//     (classify.Compare).
//  3. Run the window's rules over the groups' counts of the last fetches
//     (window.go): a group that keeps rising, crowds one site, stays
//     stuck, or that the GC proved leaked. What the window saw goes to
//     classify (classify.Observe), which alone gives the verdict: a
//     sighting that classify does not call a leak raises no leak event.
//  4. Once every target of the round is known, hand the sink the round's
//     notes, then its events in target order (down, up, restart, growing,
//     threshold, leak; a group's trend and on how many targets it grows
//     filled in), then a [Round] event with the status.
//
// When the watch ends, a [Summary] event closes it: per target, its
// fetches, failures and leak groups (at most [MaxLeaksKept] kept).
//
// Whatever the length of the watch, a target costs its first dump and
// the latest while it is compared (each cut to [MaxTracked] groups), a
// window of a few counts per group, and at most [MaxLeaksKept] groups for
// the summary.
package watch
