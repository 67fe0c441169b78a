package scenarios

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// refreshHandler answers at once and starts, for every request, a
// refresher that waits for an update or for the server's shutdown. Nothing
// ever sends the update: each refresher outlives its request. The handler
// is in a package of its own (not main), as most servers' are.
type refreshHandler struct {
	shutdown <-chan struct{}
}

func (h refreshHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	updates := make(chan int)
	go h.refresh(updates)
	io.WriteString(w, "refreshing\n")
}

func (h refreshHandler) refresh(updates <-chan int) {
	select {
	case <-updates:
	case <-h.shutdown:
	}
}

type spawningServer struct {
	srv      *httptest.Server
	shutdown func() // ends the refreshers; safe to call twice
}

func refreshServer() (spawningServer, func()) {
	shutdown := make(chan struct{})
	srv := httptest.NewUnstartedServer(refreshHandler{shutdown: shutdown})
	srv, stop := startServer(srv, srv.Start)
	end := sync.OnceFunc(func() { close(shutdown) })
	return spawningServer{srv, end}, func() { end(); stop() }
}

// http-handler-spawns: stop closes the client's connection and ends the
// refreshers through the server's shutdown channel, kept by the
// environment.
func httpHandlerSpawns() Scenario {
	setup, run := staged(refreshServer, runHTTPHandlerSpawns)
	return Scenario{
		Name:      "http-handler-spawns",
		Doc:       "An HTTP handler (not in package main) starts a refresher goroutine per request that waits in a select for an update nobody sends, and returns: three requests on one kept-alive connection leave three refreshers beside the connection's goroutine.",
		Leaks:     true,
		Want:      "select",
		WantCount: 3,
		Setup:     setup,
		Run:       run,
	}
}

func runHTTPHandlerSpawns(env spawningServer) func() {
	p := newProbe()
	conn := keptAliveRequests("http-handler-spawns", env.srv, 3)
	p.await(want{"select", fn("refreshHandler.refresh"), 3}, want{"IO wait", serverConn, 1})
	return stopper(p, func() { conn.Close() }, env.shutdown)
}

// slowReport waits for a report nobody finishes, ignoring the request's
// context; net/http's TimeoutHandler around it answers 503 in its stead,
// but cannot stop it.
type slowReport struct {
	ready <-chan struct{}
}

func (h slowReport) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	<-h.ready
	io.WriteString(w, "report\n")
}

func timeoutServer() (spawningServer, func()) {
	ready := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.TimeoutHandler(slowReport{ready: ready}, 20*time.Millisecond, "timed out\n"))
	srv, stop := startServer(srv, srv.Start)
	end := sync.OnceFunc(func() { close(ready) })
	return spawningServer{srv, end}, func() { end(); stop() }
}

// http-timeout-handler-hung: stop closes the client's connection and lets
// the reports finish.
func httpTimeoutHandlerHung() Scenario {
	setup, run := staged(timeoutServer, runHTTPTimeoutHandlerHung)
	return Scenario{
		Name:      "http-timeout-handler-hung",
		Doc:       "A handler wrapped in http.TimeoutHandler waits on a channel and ignores the request context: each request gets its 503 after 20 ms, but the inner handler's goroutine stays; three requests on one kept-alive connection leave three.",
		Leaks:     true,
		Want:      "chan-receive",
		WantCount: 3,
		Setup:     setup,
		Run:       run,
	}
}

func runHTTPTimeoutHandlerHung(env spawningServer) func() {
	p := newProbe()
	conn := keptAliveRequests("http-timeout-handler-hung", env.srv, 3)
	p.await(want{"chan receive", fn("slowReport.ServeHTTP"), 3}, want{"IO wait", serverConn, 1})
	return stopper(p, func() { conn.Close() }, env.shutdown)
}

// keptAliveRequests sends n requests one after the other on one
// connection and keeps it open, as a browser or a proxy keeps it: a client
// with no goroutine of its own. The server's goroutine for the connection
// waits for the next request.
func keptAliveRequests(name string, srv *httptest.Server, n int) net.Conn {
	conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), requestTimeout)
	must(name, err)
	must(name, conn.SetDeadline(time.Now().Add(requestTimeout)))
	br := bufio.NewReader(conn)
	for range n {
		_, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: stackdiff\r\n\r\n")
		must(name, err)
		resp, err := http.ReadResponse(br, nil)
		must(name, err)
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		must(name, err)
	}
	return conn
}
