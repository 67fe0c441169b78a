package parse

import (
	"slices"
	"strings"
)

// LeftOut is a number of goroutines a caller took out of a snapshot, and
// why: reports say so, so that nothing leaves a count silently.
type LeftOut struct {
	Why   string
	Count int
	// MaxID is the highest goroutine ID taken out (0 for formats without
	// IDs): IDs only grow within a process, so it still tells how recent
	// the snapshot is.
	MaxID int64
}

// Why the goroutines [Snapshot.DropWriters] takes out are left out.
const WhyWriter = "serving the HTTP request that fetched this dump"

// Drop is the one way to take goroutines out of a snapshot: it removes
// the goroutines of member formats for which drop returns true (given
// each goroutine's group and its own record), and records how many under
// why in LeftOut. It returns how many it removed.
//
// whole says whether what is left still stands for every goroutine of the
// process. It does when those removed exist only because the dump was
// being taken (the request serving it); it does not when they are real
// goroutines the caller does not want judged (a test's own): then Cut is
// set, and the rules that need a whole dump (an exited creator, a stopped
// process) stay silent, as they must on a part of a process.
func (s *Snapshot) Drop(why string, whole bool, drop func(*Group, Member) bool) int {
	removed, hi := s.dropMembers(drop)
	s.noteDropped(why, whole, removed, hi)
	return removed
}

// dropMembers deletes the goroutines drop matches from the groups that
// list them, and returns how many it deleted and the highest ID among
// them.
func (s *Snapshot) dropMembers(drop func(*Group, Member) bool) (removed int, hi int64) {
	for _, g := range s.Groups {
		if len(g.Members) == 0 {
			continue
		}
		removed += g.DeleteMembers(func(m Member) bool {
			if drop(g, m) {
				hi = max(hi, m.ID)
				return true
			}
			return false
		})
	}
	return removed, hi
}

// DropWriters takes out the goroutines that exist only because the dump
// was fetched over HTTP: the net/http/pprof handler writing it
// (net/http.(*conn).serve down to runtime/pprof.writeGoroutine...), and
// the goroutines started for its connection, such as
// (*connReader).backgroundRead. Every fetch makes new ones, with new IDs:
// left in, they look like a server connection that grows with each dump
// taken. A dump being written by anyone's request is never the service's
// state, so every dump is read without them; what is left still stands
// for the whole process. It returns how many it removed.
//
// Formats without IDs (debug=1, protobuf) do not say which goroutine
// started which: one backgroundRead goroutine is taken out per handler, or
// one goroutine not started yet (its stack is only runtime.goexit), as the
// reader often is when the handler takes the profile.
func (s *Snapshot) DropWriters() int {
	owners := map[int64]bool{}
	handlers, hi := 0, int64(0)
	s.Groups = slices.DeleteFunc(s.Groups, func(g *Group) bool {
		if !servesDump(g) {
			return false
		}
		handlers += g.Count
		for _, m := range g.Members {
			owners[m.ID] = true
			hi = max(hi, m.ID)
		}
		return true
	})
	if handlers == 0 {
		return 0
	}
	removed := handlers
	readers := handlers // for aggregated formats
	for _, g := range s.Groups {
		if len(g.Members) == 0 && readers > 0 && (hasFunc(g, "net/http.(*connReader).backgroundRead") || notStarted(g)) {
			n := min(readers, g.Count)
			g.Count -= n
			readers -= n
			removed += n
		}
	}
	started, startedHi := s.dropMembers(func(_ *Group, m Member) bool { return owners[m.ParentID] })
	removed += started
	s.noteDropped(WhyWriter, true, removed, max(hi, startedHi))
	return removed
}

// WriterID returns the ID of the goroutine that was writing the dump (the
// pprof handler serving its fetch; the newest if several), 0 when there is
// none or the format has no IDs. Call it before DropWriters.
func (s *Snapshot) WriterID() int64 {
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

func (s *Snapshot) noteDropped(why string, whole bool, n int, maxID int64) {
	s.Groups = slices.DeleteFunc(s.Groups, func(g *Group) bool { return g.Count <= 0 })
	if n == 0 {
		return
	}
	SortGroups(s.Groups)
	if !whole {
		s.Cut = true
	}
	for i := range s.LeftOut {
		if s.LeftOut[i].Why == why {
			s.LeftOut[i].Count += n
			s.LeftOut[i].MaxID = max(s.LeftOut[i].MaxID, maxID)
			return
		}
	}
	s.LeftOut = append(s.LeftOut, LeftOut{Why: why, Count: n, MaxID: maxID})
}

// servesDump reports whether the group's goroutines are net/http/pprof
// handlers writing a goroutine (or goroutineleak) profile.
func servesDump(g *Group) bool {
	writer, handler := false, false
	for _, f := range g.Frames {
		writer = writer || strings.HasPrefix(f.Func, "runtime/pprof.writeGoroutine")
		handler = handler || strings.HasPrefix(f.Func, "net/http/pprof.")
	}
	return writer && handler
}

func hasFunc(g *Group, fn string) bool {
	return slices.ContainsFunc(g.Frames, func(f Frame) bool { return f.Func == fn })
}

// notStarted reports whether the group's goroutines have not run yet: an
// aggregated profile shows such a goroutine with runtime.goexit alone (or
// no frame at all, once the parser has dropped it).
func notStarted(g *Group) bool {
	return !slices.ContainsFunc(g.Frames, func(f Frame) bool { return f.Func != "runtime.goexit" })
}
