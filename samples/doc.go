// Package samples holds executable goroutine-leak samples for stackdiff.
//
//   - scenarios: a library of real leaks, each with its fix, run by
//     [github.com/stackdiff/stackdiff/samples/scenarios.All].
//   - cmd/scenarios: runs scenarios and writes a goroutine dump before and
//     after each one.
//   - dumps: the dumps cmd/scenarios wrote, one directory per scenario
//     (dumps/NAME/before.txt and dumps/NAME/after.txt), built with -trimpath
//     so that they carry no machine paths. Regenerate them with
//     "go generate ./samples" after changing a scenario or the Go version.
//
// The package itself is empty; it exists for this comment and for the
// generate directive in gen.go.
package samples
