package main

import (
	"slices"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// dropOwn removes from a fetched snapshot the goroutines that exist only
// because stackdiff is fetching it: the server goroutine running the pprof
// handler that writes the dump (net/http.(*conn).serve down to
// runtime/pprof.writeGoroutine...), and the goroutines it started for its
// connection, such as (*connReader).backgroundRead. Each fetch makes new
// ones, with new IDs, so left in they look like a growing server
// connection. A dump being written by anyone else's request is left out
// too: writing a dump is never a leak. It returns how many it dropped.
//
// Formats without IDs (debug=1, protobuf) do not say which goroutine
// started which: one backgroundRead goroutine is dropped per handler, or
// one goroutine not started yet (its stack is only runtime.goexit), as the
// reader often is when the handler takes the profile.
func dropOwn(s *parse.Snapshot) int {
	owners := map[int64]bool{}
	handlers := 0
	s.Groups = slices.DeleteFunc(s.Groups, func(g *parse.Group) bool {
		if !servesDump(g) {
			return false
		}
		handlers += g.Count
		for _, m := range g.Members {
			owners[m.ID] = true
		}
		return true
	})
	if handlers == 0 {
		return 0
	}
	dropped := handlers
	readers := handlers // for aggregated formats
	for _, g := range s.Groups {
		if len(g.Members) == 0 {
			if readers > 0 && (hasFunc(g, "net/http.(*connReader).backgroundRead") || notStarted(g)) {
				n := min(readers, g.Count)
				g.Count -= n
				readers -= n
				dropped += n
			}
			continue
		}
		dropped += g.DeleteMembers(func(m parse.Member) bool { return owners[m.ParentID] })
	}
	s.Groups = slices.DeleteFunc(s.Groups, func(g *parse.Group) bool { return g.Count == 0 })
	return dropped
}

// writerID returns the ID of the goroutine that wrote the dump (the pprof
// handler serving the fetch; the newest if several), 0 when the format has
// no IDs.
func writerID(s *parse.Snapshot) int64 {
	var id int64
	for _, g := range s.Groups {
		if servesDump(g) {
			for _, m := range g.Members {
				id = max(id, m.ID)
			}
		}
	}
	return id
}

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

// servesDump reports whether the group's goroutines are net/http/pprof
// handlers writing a goroutine (or goroutineleak) profile.
func servesDump(g *parse.Group) bool {
	writer, handler := false, false
	for _, f := range g.Frames {
		writer = writer || strings.HasPrefix(f.Func, "runtime/pprof.writeGoroutine")
		handler = handler || strings.HasPrefix(f.Func, "net/http/pprof.")
	}
	return writer && handler
}

func hasFunc(g *parse.Group, fn string) bool {
	return slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return f.Func == fn })
}

// notStarted reports whether the group's goroutines have not run yet: an
// aggregated profile shows such a goroutine with runtime.goexit alone (or
// no frame at all, once the parser has dropped it).
func notStarted(g *parse.Group) bool {
	return !slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return f.Func != "runtime.goexit" })
}
