package watch

import (
	"net/url"
	"path"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// MaxLeaksKept bounds the leak groups a watch keeps per target for its
// summary: a service that leaks a new kind of goroutine at every fetch
// must not grow the watch without end.
const MaxLeaksKept = 100

// target is one URL of a watch and what is kept of it between fetches.
type target struct {
	url string // fetched: the goroutineleak profile where served (see targetURLs)
	// fallback is the goroutine profile's URL while the goroutineleak
	// profile is tried without Options.LeakProfile; "" once decided.
	fallback string
	name     string // told: the URL with its password redacted
	// baseline is the first snapshot: verdicts compare it with the latest.
	baseline *parse.Snapshot
	// writer is the ID of the goroutine that wrote the last dump: a new
	// connection's, so within one process it only grows (see restarted).
	writer          int64
	win             *window
	down            bool
	lastErr         error
	fetches, failed int
	// leaks are the first MaxLeaksKept groups found leaking, without
	// their goroutine IDs, for the summary; leaksMore counts the leak
	// events of the others, which are told as they happen but not kept.
	leaks     map[string]*classify.Group
	leaksMore int
	// profileNoted is set once the watch has said that the target serves
	// a profile without states, IDs or creators.
	profileNoted bool
}

// addLeak keeps g for the summary, unless MaxLeaksKept are kept already.
func (t *target) addLeak(g *classify.Group) {
	if _, ok := t.leaks[g.ID]; !ok && len(t.leaks) >= MaxLeaksKept {
		t.leaksMore++
		return
	}
	short := *g
	short.IDs, short.NewIDs = nil, nil
	t.leaks[g.ID] = &short
}

// leakCount is how many leak groups the target had.
func (t *target) leakCount() int { return len(t.leaks) + t.leaksMore }

// targetURLs returns the URL a watch fetches for the URL the user gave and,
// when it is only tried, the URL to fall back to on a 404.
//
// The goroutineleak profile at debug=2 is the goroutine profile's full dump
// with the (leaked) marks of the GC's proof (writing it runs one extra GC
// cycle in the target). A watch of a debug=2 dump (the default) asks for it
// by itself and falls back to the goroutine profile where it is not served
// (Go 1.26 without GOEXPERIMENT=goroutineleakprofile, an older Go). At
// debug=1 or 0 the leak profile lists only the leaked goroutines, not a
// different view of the same ones, so only Options.LeakProfile (insist) asks
// for it then.
func targetURLs(raw string, insist bool) (fetch, fallback string) {
	if insist {
		return leakURL(raw), ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw, "" // Fetch says what is wrong with it
	}
	full := u.Path == "" || u.Path == "/" || (path.Base(u.Path) == "goroutine" && u.Query().Get("debug") == "2")
	if !full {
		return raw, ""
	}
	return leakURL(raw), raw
}

// leakURL turns a goroutine profile URL (or a bare host) into the URL of
// the goroutineleak profile.
func leakURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw // Fetch says what is wrong with it
	}
	switch {
	case u.Path == "" || u.Path == "/":
		u.Path = "/debug/pprof/goroutineleak"
		if u.RawQuery == "" {
			u.RawQuery = "debug=2"
		}
	case path.Base(u.Path) == "goroutine":
		u.Path = path.Dir(u.Path) + "/goroutineleak"
	}
	return u.String()
}
