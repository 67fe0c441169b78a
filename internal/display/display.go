// Package display holds how stackdiff names what it shows: which frames of
// a stack a person is shown (the runtime's leaf frames, the final goexit
// and the go statement's wrapper are not), which functions are the
// runtime's or the standard library's, a function's short name, and a
// group's counts across snapshots ("0 → 3 → 7"). classify uses it to build
// its keys and evidence, the reports to print the same words.
package display

import (
	"strconv"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// IsRuntime reports whether fn belongs to the runtime proper (not
// runtime/pprof and friends).
// Functions the runtime provides to other packages by linkname
// (sync.runtime_SemacquireWaitGroup, internal/poll.runtime_pollWait) count
// as the runtime's too.
func IsRuntime(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/") ||
		strings.HasPrefix(fn, "runtime/internal/") || fn == "goexit" || strings.Contains(fn, ".runtime_")
}

// IsStdlibPath reports whether fn is in the standard library: its import path's
// first element has no dot ("net/http", "internal/poll", "sync") and is not
// package main. Modules named without a dot are mistaken for it; the
// blocking site then falls back to the first non-runtime frame.
func IsStdlibPath(fn string) bool {
	if strings.HasPrefix(fn, "main.") {
		return false
	}
	first := fn
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	} else if i := strings.IndexByte(first, '.'); i >= 0 {
		first = first[:i]
	}
	return !strings.Contains(first, ".")
}

// TopNonRuntime returns the leaf-most frame outside the runtime, or nil.
func TopNonRuntime(frames []parse.Frame) *parse.Frame {
	for i := range frames {
		if !IsRuntime(frames[i].Func) {
			return &frames[i]
		}
	}
	return nil
}

// IsStdlib reports whether fn belongs to the Go runtime or standard library.
func IsStdlib(fn string) bool { return IsRuntime(fn) || IsStdlibPath(fn) }

// Visible drops the frames that differ between dump kinds for one
// goroutine: the runtime's own frames at the leaf (shown by SIGQUIT
// tracebacks and profiles, hidden by runtime.Stack), a final
// runtime.goexit and the go statement's wrapper before it, and the
// runtime.main below main.main (profiles show it, tracebacks do not).
func Visible(frames []parse.Frame) []parse.Frame {
	i := 0
	for i < len(frames) && IsRuntime(frames[i].Func) {
		i++
	}
	if i == len(frames) {
		return frames // all runtime: keep them, they are the identity
	}
	j := len(frames)
	for j > i && IsRuntime(frames[j-1].Func) && (strings.HasSuffix(frames[j-1].Func, "goexit") || frames[j-1].Func == "runtime.main") {
		j--
	}
	for j > i+1 && IsGoWrapper(frames[j-1].Func) {
		j--
	}
	return frames[i:j]
}

// IsGoWrapper reports whether fn is the compiler's wrapper of a go
// statement: "net/http.(*Transport).dialConn.gowrap2".
func IsGoWrapper(fn string) bool {
	i := strings.LastIndex(fn, ".gowrap")
	if i < 0 {
		return false
	}
	rest := fn[i+len(".gowrap"):]
	if rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ShortFunc drops a function's import path but its last element, as the
// reports and the evidence print it: "example.com/app.(*Store).Get" →
// "app.(*Store).Get".
func ShortFunc(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// JoinCounts writes a group's counts as "0 → 3 → 7", as the reports and
// the evidence show them.
func JoinCounts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " → ")
}

// TrimClosure returns fn without the suffixes the compiler gives closures
// and go-statement wrappers ("pkg.(*T).Watch" for "pkg.(*T).Watch.func1",
// "pkg.F.func2.1" or "pkg.F.gowrap1": the function they are defined in),
// and whether it cut any. A function named func1 is no closure: at least
// "pkg.F" is left.
func TrimClosure(fn string) (string, bool) {
	slash := strings.LastIndexByte(fn, '/') + 1
	name := fn[slash:]
	end := len(name) // name[:end] is what is left to cut
	for {
		i := strings.LastIndexByte(name[:end], '.')
		if i < 0 || !strings.Contains(name[:i], ".") {
			break
		}
		part := name[i+1 : end]
		if !isDigits(part) && !isDigits(strings.TrimPrefix(part, "func")) && !isDigits(strings.TrimPrefix(part, "gowrap")) {
			break
		}
		end = i
	}
	return fn[:slash+end], end < len(name)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
