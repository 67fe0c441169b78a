package main

import (
	"net/url"
	"path"
)

// targetURLs returns the URL a watch fetches for the URL the user gave and,
// when it is only tried, the URL to fall back to on a 404.
//
// The goroutineleak profile at debug=2 is the goroutine profile's full dump
// with the (leaked) marks of the GC's proof (writing it runs one extra GC
// cycle in the target). A watch of a debug=2 dump (the default) asks for it
// by itself and falls back to the goroutine profile where it is not served
// (Go 1.26 without GOEXPERIMENT=goroutineleakprofile, an older Go). At
// debug=1 or 0 the leak profile lists only the leaked goroutines, not a
// different view of the same ones, so only --leakprofile (insist) asks for
// it then.
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
