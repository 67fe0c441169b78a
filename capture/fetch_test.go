package capture_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/parse"
)

// pprofServer serves the goroutine profile as net/http/pprof does, and
// the ways an endpoint can go wrong, on 127.0.0.1.
func pprofServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("/debug/pprof/goroutine", pprof.Handler("goroutine"))
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><body><h1>Welcome</h1></body></html>\n")
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		// A dump that never ends: goroutine after goroutine, flushed so
		// the response is chunked and has no length to check up front.
		w.Header().Set("Content-Type", "text/plain")
		for id := 1; id < 100_000; id++ {
			if _, err := fmt.Fprintf(w, "goroutine %d [chan send]:\nmain.f()\n\t/app/main.go:10 +0x1d\ncreated by main.main in goroutine 1\n\t/app/main.go:9 +0x2a\n\n", id); err != nil {
				return // the client gave up, as it should
			}
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/sized", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(make([]byte, 100000))
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // until the client hangs up
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		switch n := r.PathValue("n"); n {
		case "0":
			http.Redirect(w, r, "/debug/pprof/goroutine?debug=2", http.StatusFound)
		default:
			http.Redirect(w, r, fmt.Sprintf("/hop/%c", n[0]-1), http.StatusFound)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// fetch bounds every request in time, whatever the test asks of it.
func fetch(t *testing.T, url string, opts capture.FetchOptions) ([]*parse.Snapshot, error) {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	return capture.Fetch(ctx, url, opts)
}

func TestFetchFormats(t *testing.T) {
	srv := pprofServer(t)
	l := capture.StartLeaks(3)
	defer l.Release()
	if err := capture.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query  string
		format parse.Format
	}{
		{"?debug=2", parse.FormatStack},
		{"?debug=1", parse.FormatDebug1},
		{"", parse.FormatProto}, // debug=0: the gzipped protobuf profile
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			snaps, err := fetch(t, srv.URL+"/debug/pprof/goroutine"+tc.query, capture.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) != 1 || snaps[0].Format != tc.format {
				t.Fatalf("got %d snapshots, first format %q; want 1 %q", len(snaps), snaps[0].Format, tc.format)
			}
			if n := countFunc(snaps[0], capture.BlockSendFunc); n != 3 {
				t.Errorf("%d blocked senders in the fetched dump, want 3", n)
			}
		})
	}
	// A bare host means the full dump.
	snaps, err := fetch(t, srv.URL, capture.FetchOptions{})
	if err != nil || snaps[0].Format != parse.FormatStack {
		t.Fatalf("bare URL: %v", err)
	}
}

func TestFetchErrors(t *testing.T) {
	srv := pprofServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now

	for _, tc := range []struct {
		name, url string
		opts      capture.FetchOptions
		want      string
		is        error
	}{
		{"refused", "http://" + closed + "/debug/pprof/goroutine?debug=2", capture.FetchOptions{},
			"cannot connect to " + closed + ": connection refused", syscall.ECONNREFUSED},
		{"404", srv.URL + "/debug/pprof/nosuch?debug=2", capture.FetchOptions{},
			"HTTP 404 Not Found", nil},
		{"html", srv.URL + "/html", capture.FetchOptions{},
			"response is not a goroutine dump (text/html)", nil},
		{"oversize-stream", srv.URL + "/stream", capture.FetchOptions{MaxSize: 4 << 10},
			"response is over the 4 KiB limit", nil},
		{"oversize-length", srv.URL + "/sized", capture.FetchOptions{MaxSize: 4 << 10},
			"response is 100000 bytes, over the 4 KiB limit", nil},
		{"timeout", srv.URL + "/hang", capture.FetchOptions{Timeout: 100 * time.Millisecond},
			"no complete response within 100ms", nil},
		{"redirects", srv.URL + "/loop", capture.FetchOptions{},
			"stopped after 3 redirects", nil},
		{"scheme", "ftp://example.com/", capture.FetchOptions{},
			"want http:// or https://", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			snaps, err := fetch(t, tc.url, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Fetch = %d snapshots, error %v; want an error containing %q", len(snaps), err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			// A bad URL is not a fetch; everything else says which URL
			// failed as a value, not only in the text.
			var fe *capture.FetchError
			if isFetch := errors.As(err, &fe); isFetch != (tc.name != "scheme") {
				t.Errorf("error %v: *FetchError = %v", err, isFetch)
			} else if isFetch && (fe.URL == "" || !strings.Contains(fe.Err.Error(), tc.want) || strings.HasPrefix(fe.Err.Error(), "GET ")) {
				t.Errorf("FetchError{URL %q, Err %v}: want the URL apart and %q in Err", fe.URL, fe.Err, tc.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			t.Log(err)
		})
	}
}

func TestFetchFollowsFewRedirects(t *testing.T) {
	srv := pprofServer(t)
	// /hop/2 → /hop/1 → /hop/0 → the dump: three redirects, the most
	// Fetch follows.
	snaps, err := fetch(t, srv.URL+"/hop/2", capture.FetchOptions{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("3 redirects: %d snapshots, %v", len(snaps), err)
	}
	if _, err := fetch(t, srv.URL+"/hop/3", capture.FetchOptions{}); err == nil || !strings.Contains(err.Error(), "stopped after 3 redirects") {
		t.Errorf("4 redirects: %v, want stopped after 3", err)
	}
}

// countFunc counts the goroutines of s with fn in their stack.
func countFunc(s *parse.Snapshot, fn string) int {
	n := 0
	for _, g := range s.Groups {
		for _, f := range g.Frames {
			if f.Func == fn {
				n += g.Count
				break
			}
		}
	}
	return n
}
