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
//     docker compose) is learnt from the first header and stripped. A goroutine
//     ID seen twice starts a new snapshot ("cat before.txt after.txt"),
//     except in the per-thread sections of a GOTRACEBACK=crash dump, where
//     it is the same goroutine printed again.
//  3. Peel each header into fields: the base wait state, ", N minutes",
//     ", locked to thread", "(leaked)", "(durable)", ", synctest bubble N",
//     and the pprof labels: Go 1.27 prints them after the status,
//     "[chan receive] {req: r0, "k 1": "v"}:", Go 1.26 with
//     GODEBUG=tracebacklabels=1 inside it, "[chan receive labels:{...}]:".
//     Quoted keys and values are decoded; a header whose labels cannot be
//     read keeps its goroutine with a warning, and a line that starts like
//     a header but cannot be read at all is named in a warning.
//  4. Normalize each goroutine's body into a key (arguments, PC offsets,
//     frame pointers and "in goroutine N" removed) and look it up in a hash
//     map: only the first goroutine of each distinct stack is parsed; the
//     others are one map lookup. This keeps reading linear in the dump's
//     size and memory proportional to the distinct stacks.
//  5. Group by signature: state, leaked mark, frames (function, file,
//     line) and creator function. Sort groups by size, then key.
//
// Bounds: whatever the input, memory and results stay bounded. A stack
// keeps at most [MaxFrames] frames (both ends; the rest counted in Elided),
// an input at most [MaxSnapshots] snapshots (the first, the last and
// evenly spaced ones), a snapshot at most [MaxCount] goroutines (debug=1
// and protobuf counts ≤ 0 or beyond it are skipped). Limits apply to
// decompressed bytes: text is streamed, a protobuf profile is read up to
// 256 MiB. Whatever is cut or skipped is said in [Snapshot.Warnings].
//
// Pastes: a debug=1 profile is read without its "total" line, with spaces
// for tabs and with notes between records; an argument list wrapped onto
// further lines is joined; an indented header is read where it stands
// (indentation is never learnt as a log prefix), and so is a dump whose
// indentation was lost, quoted ("> "), fenced or coloured by a terminal;
// a log line written into the middle of a stack is skipped with a warning
// when the next line goes on with the stack; an input cut off keeps what
// was read, with a warning, and marks the snapshot [Snapshot.Cut]. A
// protobuf profile's generic functions ("F[go.shape.int]") are named as
// the text dumps name them ("F[...]"); goleak failures are read in the
// current format and in the one before v1.2.
//
// What a dump says about why it exists becomes its snapshot's [Event]: the
// panic with its chain of recovered panics, the fatal error, the runtime's
// deadlock, the signal, go test's timeout with its running tests, read from
// the lines before the dump and given to the snapshot of the first goroutine
// header after them when it carries the same log prefix (a log line quoting
// a panic is not a crash); a goleak failure or a race report is an event by
// its format. A plain dump has none.
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
