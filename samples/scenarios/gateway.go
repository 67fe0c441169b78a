package scenarios

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// hungUpstream accepts connections and never answers: an upstream service
// that hangs. Nothing runs per connection; the listener keeps each one open
// until stop closes it, which fails the requests waiting on it.
type hungUpstream struct {
	l        net.Listener
	mu       sync.Mutex
	conns    []net.Conn
	accepted chan struct{} // one value per connection accepted (while there is room)
	done     chan struct{}
}

func startHungUpstream() *hungUpstream {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must("gateway-upstream-hung", err)
	u := &hungUpstream{l: l, accepted: make(chan struct{}, 16), done: make(chan struct{})}
	go u.accept()
	return u
}

func (u *hungUpstream) accept() {
	defer close(u.done)
	for {
		c, err := u.l.Accept()
		if err != nil {
			return
		}
		u.mu.Lock()
		u.conns = append(u.conns, c)
		u.mu.Unlock()
		select {
		case u.accepted <- struct{}{}:
		default:
		}
	}
}

// drop closes the connections accepted so far.
func (u *hungUpstream) drop() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range u.conns {
		c.Close()
	}
	u.conns = nil
}

func (u *hungUpstream) close() {
	u.l.Close()
	<-u.done
	u.drop()
}

// gatewayHandler forwards every request to its upstream with a client that
// has no timeout and without the request's context: when the upstream
// hangs, so does the handler, long after its own client has gone.
type gatewayHandler struct {
	client   *http.Client
	upstream string
}

func (h gatewayHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	resp, err := h.client.Get(h.upstream)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

type gateway struct {
	srv      *httptest.Server
	upstream *hungUpstream
	t        *http.Transport // the gateway's own, to its upstream
}

// gatewayServer starts the hung upstream and the gateway in front of it.
// The gateway's transport only bounds the dial: no response header
// timeout, as with http.Get.
func gatewayServer() (gateway, func()) {
	u := startHungUpstream()
	t := &http.Transport{DialContext: (&net.Dialer{Timeout: requestTimeout}).DialContext}
	h := gatewayHandler{client: &http.Client{Transport: t}, upstream: "http://" + u.l.Addr().String() + "/"}
	srv := httptest.NewUnstartedServer(h)
	srv, stop := startServer(srv, srv.Start)
	return gateway{srv, u, t}, func() {
		u.close() // fails the requests still hung: their handlers return
		stop()
		t.CloseIdleConnections()
	}
}

// gateway-upstream-hung: three requests reach a gateway whose handlers call
// a hung upstream with no timeout; each caller gives up once its request
// has reached the upstream, but the handlers stay, each with the client
// connection that carries its request (a read loop waiting for the
// response, a write loop). stop closes the upstream's connections: the
// requests fail and the handlers return.
func gatewayUpstreamHung() Scenario {
	setup, run := staged(gatewayServer, runGatewayUpstreamHung)
	return Scenario{
		Name:      "gateway-upstream-hung",
		Doc:       "HTTP handlers call a hung upstream with an http.Client that has no timeout, ignoring the request context; their callers give up, the handlers and their upstream connections stay.",
		Leaks:     true,
		Want:      "http-server-handler",
		WantCount: 3,
		Setup:     setup,
		Run:       run,
	}
}

func runGatewayUpstreamHung(env gateway) func() {
	p := newProbe()
	t := newTransport()
	for range 3 {
		// The caller gives up once its request has reached the upstream
		// (a fixed timeout could end it before the handler even ran).
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			defer cancel()
			select {
			case <-env.upstream.accepted:
			case <-time.After(requestTimeout):
			}
		}()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.srv.URL, nil)
		must("gateway-upstream-hung", err)
		if resp, err := (&http.Client{Transport: t}).Do(req); err == nil {
			resp.Body.Close()
			panic("scenarios: gateway-upstream-hung: the request did not fail")
		}
		<-ctx.Done()
	}
	// The callers closed their connections: wait until the gateway noticed
	// (its background reads end) and only the handlers and their upstream
	// connections are left.
	p.await(want{"select", fn("gatewayHandler.ServeHTTP"), 3}, want{"IO wait", readLoop, 3}, want{"select", writeLoop, 3},
		want{"", backgroundRead, 0})
	return stopper(p, env.upstream.drop, t.CloseIdleConnections)
}
