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
	// A client with no goroutine of its own: three requests one after the
	// other on one connection, kept open, as a browser or a proxy keeps
	// it. The server's goroutine for the connection waits for the next.
	conn, err := net.DialTimeout("tcp", env.srv.Listener.Addr().String(), requestTimeout)
	must("http-handler-spawns", err)
	must("http-handler-spawns", conn.SetDeadline(time.Now().Add(requestTimeout)))
	br := bufio.NewReader(conn)
	for range 3 {
		_, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: stackdiff\r\n\r\n")
		must("http-handler-spawns", err)
		resp, err := http.ReadResponse(br, nil)
		must("http-handler-spawns", err)
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		must("http-handler-spawns", err)
	}
	p.await(want{"select", fn("refreshHandler.refresh"), 3}, want{"IO wait", serverConn, 1})
	return stopper(p, func() { conn.Close() }, env.shutdown)
}
