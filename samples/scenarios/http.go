package scenarios

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// All HTTP scenarios talk to an httptest server on 127.0.0.1 started by their
// Setup, so the server's accept loop is already in the "before" dump and the
// diff shows only what the client code leaves behind.

// Frames the HTTP scenarios wait for.
const (
	readLoop       = "net/http.(*persistConn).readLoop"
	writeLoop      = "net/http.(*persistConn).writeLoop"
	serverConn     = "net/http.(*conn).serve"
	backgroundRead = "net/http.(*connReader).backgroundRead"
	acceptLoop     = "net/http.(*Server).Serve"
	requestTimeout = 5 * time.Second
)

// hello answers every request with a short body. The body must not be empty:
// the transport recycles a connection at once when there is no body to read.
func hello(w http.ResponseWriter, _ *http.Request) {
	io.WriteString(w, "hello from stackdiff\n")
}

// startServer starts srv (an unstarted httptest server) and waits until its
// accept loop is parked; the stop func closes it and waits for every server
// goroutine to exit.
func startServer(srv *httptest.Server, start func()) (*httptest.Server, func()) {
	p := newProbe()
	start()
	p.await(want{"IO wait", acceptLoop, 1})
	return srv, stopper(p, srv.Close)
}

func helloServer() (*httptest.Server, func()) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(hello))
	return startServer(srv, srv.Start)
}

// newTransport returns a Transport of the scenario's own, so that no other
// code's connections mix with the ones the scenario leaks. Every network step
// is bounded (dial, TLS handshake, response headers: 5 s each), but there is
// deliberately no overall request timeout: Client.Timeout would cancel the
// request context after 5 s, and the transport would then reap the very
// connection whose leak the scenario shows. Bodies come from a loopback
// server that has already sent them.
func newTransport() *http.Transport {
	t := &http.Transport{DialContext: (&net.Dialer{Timeout: requestTimeout}).DialContext}
	boundTransport(t)
	return t
}

// boundTransport bounds the TLS handshake and the wait for response headers.
// (The httptest TLS client keeps its own DialContext, which only dials the
// loopback listener.)
func boundTransport(t *http.Transport) {
	t.TLSHandshakeTimeout = requestTimeout
	t.ResponseHeaderTimeout = requestTimeout
}

// checkStatus returns url's status code and forgets the body: neither read to
// EOF nor closed, it keeps its connection busy, and the connection's read and
// write loops wait for someone to finish with it.
func checkStatus(c *http.Client, url string, h *hatch) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	h.add(func() { resp.Body.Close() }) // scaffolding: stop closes the body late
	return resp.StatusCode, nil
}

// checkStatusClosed is the fix: a bounded request whose body is drained and
// closed, which hands the connection back to the pool for reuse.
func checkStatusClosed(ctx context.Context, c *http.Client, url string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// http-body-not-closed: stop closes the five bodies (kept by the hatch); an
// unread body closed early makes the transport close its connection, which
// ends both loops and, on the server, the connection's goroutine.
func httpBodyNotClosed() Scenario {
	setup, run := staged(helloServer, runHTTPBodyNotClosed)
	return Scenario{
		Name:      "http-body-not-closed",
		Doc:       "Five GETs to a loopback server never close their response bodies, leaving five connections busy: 5 persistConn.readLoop (the headline) and 5 writeLoop goroutines, plus 5 server-side connections.",
		Leaks:     true,
		Want:      "http-body-not-closed",
		WantCount: 5,
		Setup:     setup,
		Run:       run,
	}
}

func runHTTPBodyNotClosed(srv *httptest.Server) func() {
	p := newProbe()
	var h hatch
	t := newTransport()
	c := &http.Client{Transport: t}
	for range 5 {
		_, err := checkStatus(c, srv.URL, &h)
		must("http-body-not-closed", err)
	}
	p.await(want{"select", readLoop, 5}, want{"select", writeLoop, 5}, want{"IO wait", serverConn, 5})
	return stopper(p, h.open, t.CloseIdleConnections)
}

// http-body-closed: nothing left to release; Run closes the idle connection
// itself and waits for both sides to exit.
func httpBodyClosed() Scenario {
	setup, run := staged(helloServer, runHTTPBodyClosed)
	return Scenario{
		Name:  "http-body-closed",
		Doc:   "The http-body-not-closed fix: NewRequestWithContext with a timeout, a drained and closed body, and CloseIdleConnections when done.",
		Setup: setup,
		Run:   run,
	}
}

func runHTTPBodyClosed(srv *httptest.Server) func() {
	p := newProbe()
	t := newTransport()
	c := &http.Client{Transport: t}
	for range 5 {
		_, err := checkStatusClosed(context.Background(), c, srv.URL)
		must("http-body-closed", err)
	}
	t.CloseIdleConnections()
	return settled(p)
}

// fetchWithNewTransport builds a Transport and a Client per request, reads and
// closes the body correctly, and drops the Transport. Its keep-alive
// connection stays in the dropped Transport's idle pool: a read loop parked in
// a network read and a write loop, each for as long as the server keeps the
// connection.
func fetchWithNewTransport(url string, h *hatch) (string, error) {
	t := newTransport()
	h.add(t.CloseIdleConnections) // scaffolding: stop closes the dropped Transport
	c := &http.Client{Transport: t}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// transport-per-request: stop calls CloseIdleConnections on each dropped
// Transport, which closes its idle connection.
func transportPerRequest() Scenario {
	setup, run := staged(helloServer, runTransportPerRequest)
	return Scenario{
		Name:      "transport-per-request",
		Doc:       "Each of three requests builds a new http.Transport that is never closed, so each keeps an idle keep-alive connection: 3 readLoop (the headline) and 3 writeLoop goroutines, plus 3 server-side connections.",
		Leaks:     true,
		Want:      "http-idle-conn",
		WantCount: 3,
		Setup:     setup,
		Run:       run,
	}
}

func runTransportPerRequest(srv *httptest.Server) func() {
	p := newProbe()
	var h hatch
	for range 3 {
		_, err := fetchWithNewTransport(srv.URL, &h)
		must("transport-per-request", err)
	}
	p.await(want{"IO wait", readLoop, 3}, want{"select", writeLoop, 3}, want{"IO wait", serverConn, 3})
	return stopper(p, h.open)
}

// reportHandler waits for a report to be ready before answering and ignores
// r.Context(), so a client that gives up does not free it.
type reportHandler struct {
	ready   <-chan struct{}
	entered chan<- struct{} // told, without waiting, that a request got here
}

func (h reportHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	select {
	case h.entered <- struct{}{}:
	default:
	}
	<-h.ready
	io.WriteString(w, "report\n")
}

type blockingServer struct {
	srv     *httptest.Server
	ready   chan struct{}
	entered chan struct{}
}

func reportServer() (blockingServer, func()) {
	ready, entered := make(chan struct{}), make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(reportHandler{ready: ready, entered: entered})
	srv, stop := startServer(srv, srv.Start)
	return blockingServer{srv, ready, entered}, stop
}

// http-handler-blocked: stop closes ready (kept by the environment), the
// handler returns, and the server closes the dead connection.
func httpHandlerBlocked() Scenario {
	setup, run := staged(reportServer, runHTTPHandlerBlocked)
	return Scenario{
		Name:      "http-handler-blocked",
		Doc:       "An HTTP handler blocks on a channel and ignores the request context; the client gives up after 20 ms but the handler goroutine stays.",
		Leaks:     true,
		Want:      "http-server-handler",
		WantCount: 1,
		Setup:     setup,
		Run:       run,
	}
}

func runHTTPHandlerBlocked(env blockingServer) func() {
	p := newProbe()
	t := newTransport()
	// The client gives up after 20 ms. On a loaded machine the request may
	// not have reached the handler by then: try again, with more time,
	// until one has (a request that never got there leaves nothing).
	for wait := 20 * time.Millisecond; ; wait *= 4 {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.srv.URL, nil)
		must("http-handler-blocked", err)
		if resp, err := (&http.Client{Transport: t}).Do(req); err == nil {
			resp.Body.Close()
			panic("scenarios: http-handler-blocked: the request did not time out")
		}
		cancel()
		select {
		case <-env.entered:
		case <-time.After(time.Second):
			if wait < 5*time.Second {
				continue
			}
			panic("scenarios: http-handler-blocked: no request reached the handler")
		}
		break
	}
	// The client closed its connection; wait until the server noticed it
	// (its background read ends) and only the handler is left.
	p.await(want{"chan receive", fn("reportHandler.ServeHTTP"), 1},
		want{"", backgroundRead, 0}, want{"", readLoop, 0})
	return stopper(p, func() { close(env.ready) }, t.CloseIdleConnections)
}

func http2Server() (*httptest.Server, func()) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(hello))
	srv.EnableHTTP2 = true
	return startServer(srv, srv.StartTLS)
}

// http2-body-not-closed: HTTP/2 multiplexes the three requests on one
// connection, and an unclosed body costs a stream (memory and flow-control
// window), not a goroutine. What stays is the connection itself: one client
// read loop parked in a network read (the same stack as an idle connection),
// plus the server's serve loop and frame reader. stop closes the bodies (which
// resets their streams) and then the now idle connection.
func http2BodyNotClosed() Scenario {
	setup, run := staged(http2Server, runHTTP2BodyNotClosed)
	return Scenario{
		Name:      "http2-body-not-closed",
		Doc:       "Three HTTP/2 requests over TLS never close their bodies; they share one connection, so what stays is its single http2ClientConn.readLoop, indistinguishable from an idle connection.",
		Leaks:     true,
		Want:      "http-idle-conn",
		WantCount: 1,
		Setup:     setup,
		Run:       run,
	}
}

func runHTTP2BodyNotClosed(srv *httptest.Server) func() {
	p := newProbe()
	var h hatch
	c := srv.Client()
	t := c.Transport.(*http.Transport)
	boundTransport(t)
	for range 3 {
		_, err := checkStatus(c, srv.URL, &h)
		must("http2-body-not-closed", err)
	}
	// Each request also ran in a short-lived clientStream.doRequest goroutine:
	// wait until they are gone.
	p.await(want{"IO wait", HTTP2.ReadLoop, 1}, want{"select", HTTP2.ServerConn, 1}, want{"IO wait", HTTP2.ReadFrames, 1},
		want{"", HTTP2.DoRequest, 0})
	return stopper(p, h.open, t.CloseIdleConnections)
}
