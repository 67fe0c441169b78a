package scenarios

import (
	"go/version"
	"runtime"
)

// HTTP2 names the frames of net/http's HTTP/2 goroutines in this build:
// until Go 1.26 net/http bundled HTTP/2 as http2-prefixed names of package
// net/http; Go 1.27 moved it into net/http/internal/http2.
var HTTP2 = http2Names(runtime.Version())

// HTTP2Frames are the functions the HTTP/2 scenario's goroutines run.
type HTTP2Frames struct {
	ReadLoop, ServerConn, ReadFrames, DoRequest, ReadFrame string
}

func http2Names(goVersion string) HTTP2Frames {
	if version.IsValid(goVersion) && version.Compare(goVersion, "go1.27") < 0 {
		return HTTP2Frames{
			ReadLoop:   "net/http.(*http2ClientConn).readLoop",
			ServerConn: "net/http.(*http2serverConn).serve",
			ReadFrames: "net/http.(*http2serverConn).readFrames",
			DoRequest:  "net/http.(*http2clientStream).doRequest",
			ReadFrame:  "net/http.(*http2Framer).ReadFrame",
		}
	}
	const p = "net/http/internal/http2."
	return HTTP2Frames{
		ReadLoop:   p + "(*ClientConn).readLoop",
		ServerConn: p + "(*serverConn).serve",
		ReadFrames: p + "(*serverConn).readFrames",
		DoRequest:  p + "(*clientStream).doRequest",
		ReadFrame:  p + "(*Framer).ReadFrame",
	}
}
