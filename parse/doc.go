// Package parse reads goroutine dumps of every kind a Go program produces
// and groups identical goroutines.
//
// The pipeline, for one input:
//
//  1. Detect the format from the content: gzip (magic bytes) is unwrapped
//     first; binary data may be a protobuf profile; everything else is read
//     as text, line by line, with lines of any length (over-long ones are
//     skipped with a warning) and CRLF endings.
//  2. Find dumps in the text: goroutine headers ("goroutine 7 [chan send]:"),
//     pprof debug=1 records, goleak failures and race reports, with any log
//     noise around them. A log prefix (journald, kubectl --timestamps,
//     indentation) is learnt from the first header and stripped. A goroutine
//     ID seen twice starts a new snapshot ("cat before.txt after.txt"),
//     except in the per-thread sections of a GOTRACEBACK=crash dump, where
//     it is the same goroutine printed again.
//  3. Peel each header into fields: the base wait state, ", N minutes",
//     ", locked to thread", "(leaked)", "(durable)", ", synctest bubble N",
//     "labels:{...}".
//  4. Normalize each goroutine's body into a key (arguments, PC offsets,
//     frame pointers and "in goroutine N" removed) and look it up in a hash
//     map: only the first goroutine of each distinct stack is parsed; the
//     others are one map lookup. This keeps reading linear in the dump's
//     size and memory proportional to the distinct stacks.
//  5. Group by signature: state, leaked mark, frames (function, file,
//     line) and creator function. Sort groups by size, then key.
//
// The stacks are read by this package's own code. panicparse
// (github.com/maruel/panicparse/v2) does one job: its stack.Func unescapes
// function names whose import path the runtime printed with %-escapes
// ("gopkg.in/yaml%2ev2.Unmarshal"), once per distinct stack and only for
// names holding a "%". Its full parser is not used: its ScanSnapshot costs
// far more per stack, and with its default options it reads the local disk
// (GOROOT, GOPATH) to guess source locations, which stackdiff does only
// through the directories a caller names (classify.Options.Sources).
//
// Frames are always leaf (innermost call) first. A creator's
// "in goroutine N" is kept as [Member.ParentID], never in the signature, so
// identical goroutines started by different parents form one group.
package parse
