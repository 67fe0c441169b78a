package classify

import (
	"strings"

	"github.com/stackdiff/stackdiff/internal/display"

	"github.com/stackdiff/stackdiff/parse"
)

// For a server, the unit of blame is the handler: the goroutine serving a
// request, blocked anywhere in the program's code or below it. The
// connection goroutine waiting for the next request is the only
// http-server-conn, and the client connections a handler's outgoing call
// holds are its companions, not idle connections.

// servingRequest matches a goroutine inside a request: net/http's
// serverHandler (HTTP/1) or the HTTP/2 server's handler goroutine.
var servingRequest = HasFunc("net/http.serverHandler.ServeHTTP", "net/http.(*http2serverConn).runHandler",
	"golang.org/x/net/http2.(*serverConn).runHandler")

// inHandler matches a goroutine serving a request that runs the program's
// own code: a frame outside the standard library leafward of net/http's
// entry into the handler (the pprof handlers are net/http's own).
func inHandler(s *Stack) bool {
	if !servingRequest(s) {
		return false
	}
	for _, f := range s.Frames {
		switch {
		case f.Func == "net/http.serverHandler.ServeHTTP", f.Func == "net/http.(*http2serverConn).runHandler",
			f.Func == "golang.org/x/net/http2.(*serverConn).runHandler":
			return false
		case !isRuntime(f.Func) && !isStdlib(f.Func):
			return true
		}
	}
	return false
}

// grpcUnaryHandler matches a gRPC server goroutine running the program's
// unary method: a request that should answer soon. Streams live as long as
// their client wants and stay grpc-server-conn.
func grpcUnaryHandler(s *Stack) bool {
	seen := false
	for _, f := range s.Frames {
		switch {
		case f.Func == "google.golang.org/grpc.(*Server).processUnaryRPC":
			return seen
		case !isRuntime(f.Func) && !isStdlib(f.Func) && !strings.HasPrefix(f.Func, "google.golang.org/grpc"):
			seen = true
		}
	}
	return false
}

var (
	clientRoundTrip  = HasFunc("net/http.(*persistConn).roundTrip", "net/http.(*http2ClientConn).RoundTrip", "net/http.(*http2clientStream).waitOnHeaders")
	liveRequestRead  = HasFunc("net/http.(*connReader).backgroundRead")
	outgoingHTTPCall = HasFunc("net/http.(*Client).do", "net/http.(*Transport).roundTrip")
)

// requestFacts counts, in the last snapshot, the goroutines waiting for a
// client response (a request in flight) and the server connections still
// reading for a request's client (one per live HTTP/1 request).
type requestFacts struct {
	roundTrips, liveReads, handlers int
}

// countRequests fills c.reqs from the labelled groups.
func (c *comparer) countRequests() {
	for _, e := range c.order {
		st := &Stack{Frames: e.rep.Frames}
		n := e.g.Counts[c.n-1]
		if clientRoundTrip(st) {
			c.reqs.roundTrips += n
		}
		if liveRequestRead(st) {
			c.reqs.liveReads += n
		}
		if e.g.Label == HTTPServerHandler {
			c.reqs.handlers += n
		}
	}
}

// relabelRequests tells a client connection with a request in flight from
// an idle one, and gives a handler the fix for what it waits on.
func (c *comparer) relabelRequests() {
	c.countRequests()
	for _, e := range c.order {
		g := e.g
		if g.Ignored != "" {
			continue
		}
		switch g.Label {
		case HTTPIdleConn:
			// A read loop peeks at its connection whether or not a request
			// is in flight; the goroutines waiting in roundTrip say how
			// many are not idle.
			if n := g.Counts[c.n-1]; n > 0 && n <= c.reqs.roundTrips {
				g.Label, g.Class = HTTPClientConn, labels[HTTPClientConn].Class
				g.Reason = "read loop of a net/http client connection waiting for the response to a request in flight"
				g.Fix = "bound the request: a client Timeout, or the caller's context with http.NewRequestWithContext"
			}
		case HTTPServerHandler:
			g.Reason, g.Fix = handlerWords(g.Frames)
		}
	}
}

// handlerWords are the reason and fix for a handler blocked in frames.
func handlerWords(frames []parse.Frame) (reason, fix string) {
	st := &Stack{Frames: frames}
	switch {
	case outgoingHTTPCall(st):
		return "an HTTP handler waiting for the response of an outgoing HTTP call",
			"give the call the request's context (http.NewRequestWithContext(r.Context(), ...)) and the client a Timeout; http.Get has none"
	case TopFunc("time.Sleep")(st):
		return "an HTTP handler sleeping",
			"wait in a select on r.Context().Done() and a timer instead of sleeping"
	}
	info := labels[HTTPServerHandler]
	return info.Reason, info.Fix
}

// inFlight reports whether a handler group's requests may all be live: the
// server still reads their clients' connections (HTTP/1 starts one such
// read per request whose body has been read). When it does not, the
// clients are gone and the handlers stay: that is the finding.
//
// Only a handler waiting inside a library call (an outgoing request, a
// read) may be in flight; one parked in its own code on a channel, a lock
// or a sleep is not waiting for anything its client sent.
func (c *comparer) inFlight(g *Group) bool {
	if g.Label != HTTPServerHandler || c.reqs.handlers == 0 || c.reqs.handlers > c.reqs.liveReads {
		return false
	}
	top := display.TopNonRuntime(g.Frames)
	return top != nil && isStdlib(top.Func)
}
