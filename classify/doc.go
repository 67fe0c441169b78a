// Package classify follows goroutine groups across snapshots, labels what
// each group is blocked on and decides whether it looks leaked.
//
// The pipeline:
//
//  1. Match groups across snapshots by key: state, frames (with the runtime's
//     own leaf frames and runtime.goexit dropped, so a SIGQUIT dump matches a
//     runtime.Stack dump) and creator. When an input has no states (pprof
//     debug=1, protobuf), the key is the frames alone.
//  2. Decide whether the first and last snapshots come from one process
//     (shared goroutine IDs with the same creators). If so, goroutines are
//     new, gone or persisted by ID; otherwise the count growth is what is new.
//  3. Label each group with the first matching rule of an ordered table
//     ([DefaultRules]): well-known library goroutines first (net/http, database/sql,
//     os/exec, io.Pipe, gRPC, the runtime's own), then the wait state. When
//     the source of the blocking line is readable, a channel receive or
//     select is refined into timer, ticker or context-never-cancelled. A
//     client connection with a request in flight is not idle, and a
//     handler's fix fits what it waits on (handlers.go). The
//     rule gives the label's class, reason and fix; [Options].Ignore marks
//     the groups that are expected.
//  4. Give a verdict with evidence: ignored groups are ok; goroutines the
//     runtime proved leaked are a leak, as are those the dump's event proves
//     (a deadlock, a goleak failure); new goroutines in a blocking wait
//     are a leak; doubtful ones (network waits, unknown states) and those
//     of a label of Unknown class are suspects; nil-channel and empty
//     select waits outside main, long waits and crowds are suspects.
//     A single dump that holds every goroutine also tells senders whose
//     creator returned (orphan.go) and a stopped process (stalled.go);
//     last, the one group that likely holds the lock a suspect crowd waits
//     for is a suspect too (holder.go). In a diff, groups that live and die
//     with connections (conns.go) and handlers whose requests are in flight
//     (handlers.go) are ok however they grew.
//  5. Sort: by verdict, then by growth in a diff, by suspicion in a single
//     dump (suspicion.go).
//
// A watch, which sees a group over many dumps of one process, brings what
// it saw (a group that keeps rising, stays stuck, crowds a site) to
// [Observe], which judges it by the same classes ([WatchVerdict]).
//
// Compare is linear in the number of groups and goroutine IDs.
package classify
