package capture_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
)

// gzipDump is a gzipped runtime.Stack-style dump of n goroutines: it
// compresses about a hundredfold.
func gzipDump(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	for id := 1; id <= n; id++ {
		fmt.Fprintf(zw, "goroutine %d [chan send]:\nmain.f()\n\t/app/main.go:10 +0x1d\ncreated by main.main in goroutine 1\n\t/app/main.go:9 +0x2a\n\n", id)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFetchCapsDecompressedBytes: MaxSize bounds what the body expands to,
// not only the bytes on the wire.
func TestFetchCapsDecompressedBytes(t *testing.T) {
	body := gzipDump(t, 50_000) // about 5 MB of text
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	const limit = 1 << 20
	if len(body) >= limit {
		t.Fatalf("compressed body is %d bytes: the test needs it under the %d limit", len(body), limit)
	}
	_, err := capture.Fetch(context.Background(), srv.URL+"/x", capture.FetchOptions{MaxSize: limit})
	if err == nil || !strings.Contains(err.Error(), "over the 1 MiB limit") {
		t.Errorf("err = %v, want the size limit", err)
	}
	// Under the limit, the same body is read whole.
	snaps, err := capture.Fetch(context.Background(), srv.URL+"/x", capture.FetchOptions{MaxSize: 64 << 20})
	if err != nil || len(snaps) != 1 || snaps[0].Count() != 50_000 {
		t.Fatalf("got %d snapshots, err %v; want one of 50000 goroutines", len(snaps), err)
	}
}

// TestFetchKeepsACutGzipBody: a gzip body cut short in transit still gives
// the goroutines it holds, and a warning.
func TestFetchKeepsACutGzipBody(t *testing.T) {
	body := gzipDump(t, 2000)
	cut := body[:len(body)*3/4]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(cut) }))
	defer srv.Close()
	snaps, err := capture.Fetch(context.Background(), srv.URL+"/x", capture.FetchOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := snaps[len(snaps)-1]
	if n := s.Count(); n < 500 || n >= 2000 {
		t.Errorf("%d goroutines read, want most of what the cut body holds", n)
	}
	if !strings.Contains(strings.Join(s.Warnings, "\n"), "the gzip data stops early") {
		t.Errorf("warnings %q do not say the gzip stream was cut", s.Warnings)
	}
}
