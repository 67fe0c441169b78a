package capture_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/parse"
)

// TestNewClientSpeaksHTTP1: against a TLS server that offers HTTP/2, the
// client of NewClient (Fetch's own) asks with HTTP/1.1 on a connection of
// its own, so the dump is served by one goroutine that DropWriters takes
// out with its reader: no HTTP/2 server goroutine is left in the dump.
func TestNewClientSpeaksHTTP1(t *testing.T) {
	var mu sync.Mutex
	var protos []string
	var closes []bool
	h := pprof.Handler("goroutine")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		protos = append(protos, r.Proto)
		closes = append(closes, r.Close)
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	client := capture.NewClient()
	client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	for range 2 {
		snaps, err := capture.Fetch(t.Context(), srv.URL+"/debug/pprof/goroutine?debug=2", capture.FetchOptions{Client: client, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		s := snaps[len(snaps)-1]
		if s.DropWriters() == 0 {
			t.Error("no goroutine of the fetch was taken out")
		}
		for _, g := range s.Groups {
			if slices.ContainsFunc(g.Frames, func(f parse.Frame) bool {
				return strings.Contains(f.Func, "http2serverConn") || f.Func == "net/http.(*conn).serve"
			}) {
				t.Errorf("a goroutine of the fetch's connection is left in: %v", g.Frames)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"HTTP/1.1", "HTTP/1.1"}; !slices.Equal(protos, want) || !slices.Equal(closes, []bool{true, true}) {
		t.Errorf("requests %v (Connection: close %v), want %v, each closing its connection", protos, closes, want)
	}
}
