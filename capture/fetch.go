package capture

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/stackdiff/stackdiff/parse"
)

// FetchOptions tune [Fetch]. The zero value is the default.
type FetchOptions struct {
	// Client makes the request; nil means a private client from
	// [NewClient], whose connections are closed when Fetch returns. A
	// client without a CheckRedirect gets Fetch's limit of 3 redirects.
	Client *http.Client
	// Timeout bounds the whole fetch, body included; 0 means 30s. Fetch
	// returns when it passes, with an error, even while the data already
	// read is still being parsed: that parse (of at most a few MiB read
	// ahead) ends on its own soon after, and its result is dropped. A body
	// cut by the timeout is an error, never a dump with a warning.
	Timeout time.Duration
	// MaxSize bounds the response body in bytes, counted after
	// decompression when the body is gzip; 0 means 1 GiB. A larger body is
	// an error, not a silently cut dump. Timeout bounds reading, unzipping
	// and parsing it together.
	MaxSize int64
}

// The defaults of FetchOptions.
const (
	DefaultFetchTimeout = 30 * time.Second
	DefaultFetchMaxSize = 1 << 30
	maxRedirects        = 3
)

// FetchError is what [Fetch] returns when the request or the response
// failed: the URL (credentials redacted) and what went wrong, in words an
// operator can act on. A caller that already names the URL prints Err.
type FetchError struct {
	URL string
	Err error
	// Status is the HTTP status code of a response that was not a
	// success (404: the endpoint is not served); 0 for other failures.
	Status int
}

func (e *FetchError) Error() string { return "GET " + e.URL + ": " + e.Err.Error() }

func (e *FetchError) Unwrap() error { return e.Err }

// Fetch downloads a goroutine dump from a net/http/pprof endpoint of
// another process and parses it: /debug/pprof/goroutine?debug=2 (full
// stacks with IDs and states, the most useful), ?debug=1 (counts per
// stack) or the protobuf profile (no debug parameter). A URL with no path
// ("http://host:6060") means /debug/pprof/goroutine?debug=2.
//
// A failed request or response is a [*FetchError] whose Err says what went
// wrong in words an operator can act on:
// "cannot connect to HOST: connection refused", "HTTP 404 Not Found",
// "response is not a goroutine dump (text/html)", a size or time limit hit.
func Fetch(ctx context.Context, rawURL string, opts FetchOptions) ([]*parse.Snapshot, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included: keep only
		// what is wrong with it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("capture: bad URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("capture: bad URL %q: want http:// or https://", u.Redacted())
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/debug/pprof/goroutine"
		if u.RawQuery == "" {
			u.RawQuery = "debug=2"
		}
	}
	name := u.Redacted()
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	limit := opts.MaxSize
	if limit <= 0 {
		limit = DefaultFetchMaxSize
	}
	fail := func(format string, args ...any) *FetchError {
		return &FetchError{URL: name, Err: fmt.Errorf(format, args...)}
	}

	// The cause tells our own timeout from the caller's cancellation.
	errTimeout := fmt.Errorf("no complete response within %v", timeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancel()
	timedOut := func(err error) error {
		if context.Cause(ctx) == errTimeout {
			return fail("%w", errTimeout)
		}
		if ctx.Err() != nil {
			return fail("%w", context.Cause(ctx))
		}
		return err
	}

	client := NewClient()
	if opts.Client != nil {
		c := *opts.Client
		client = &c
	} else {
		defer client.CloseIdleConnections()
	}
	if client.CheckRedirect == nil {
		client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return nil
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("capture: bad URL %q", u.Redacted())
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, timedOut(fail("%w", connectError(err)))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		// Name the path: the user may have given only host:port.
		e := fail("HTTP %s for %s; is net/http/pprof registered on this server?", resp.Status, u.RequestURI())
		e.Status = resp.StatusCode
		return nil, e
	}
	if resp.StatusCode != http.StatusOK {
		e := fail("HTTP %s%s", resp.Status, firstLine(resp))
		e.Status = resp.StatusCode
		return nil, e
	}
	if resp.ContentLength > limit {
		return nil, fail("response is %s, over the %s limit (FetchOptions.MaxSize)", size(resp.ContentLength), size(limit))
	}
	// The limit counts the bytes parse reads, after gunzip: a small gzip
	// body cannot expand into gigabytes. Every read checks the deadline, so
	// reading and unzipping stop there; the parse of what was read before
	// it is not waited for (see parseBy).
	snaps, err := parseBy(ctx, &deadlineReader{ctx: ctx, r: resp.Body}, name, limit)
	if ctx.Err() != nil {
		// Cut by the deadline: what came is not the whole dump, and a
		// gzip body cut short would otherwise pass for one with a warning.
		return nil, timedOut(fail("reading the response: %w", ctx.Err()))
	}
	switch {
	case errors.Is(err, parse.ErrTooLarge):
		return nil, fail("response is over the %s limit (FetchOptions.MaxSize)", size(limit))
	case errors.Is(err, parse.ErrNoDump):
		return nil, fail("response is not a goroutine dump (%s)", mediaType(resp))
	case err != nil:
		return nil, timedOut(fail("reading the response: %w", err))
	}
	return snaps, nil
}

// NewClient returns the client [Fetch] uses when [FetchOptions].Client is
// nil, for a caller that fetches many times (a watch): HTTP/1.1 without
// keep-alive. Each fetch then has a connection of its own, served by one
// goroutine that [parse.Snapshot.DropWriters] recognises (HTTP/2 would
// serve it on goroutines of a shared connection), and closed once the
// dump is read, so the debugged process keeps no connection (and no
// goroutine) to its debugger between fetches.
func NewClient() *http.Client {
	var tr *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr.DisableKeepAlives = true
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP1(true)
	return &http.Client{Transport: tr}
}

// connectError words a failed request: a dial that failed says which
// host could not be reached and why, without net's "dial tcp" jargon.
func connectError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		host := ""
		if op.Addr != nil {
			host = op.Addr.String()
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("cannot connect to %s: %w", host, syscall.ECONNREFUSED)
		}
		return fmt.Errorf("cannot connect to %s: %w", host, op.Err)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("cannot connect to %s: %w", dns.Name, err)
	}
	return err
}

// firstLine returns ": " and the first line of a short text error body
// (pprof's 404 says "Unknown profile"), or "".
func firstLine(resp *http.Response) string {
	if !strings.HasPrefix(mediaType(resp), "text/plain") {
		return ""
	}
	line, _ := bufio.NewReader(io.LimitReader(resp.Body, 200)).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" {
		return ""
	}
	return ": " + line
}

func mediaType(resp *http.Response) string {
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		return "no Content-Type"
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return ct
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// parseBy parses r, or gives up when ctx is done: the deadline ends the
// work, not only the reading. Reads fail once ctx is done (r is a
// deadlineReader), so a parse given up on ends by itself after the data
// already read, which is bounded (parse reads ahead a few chunks), and
// its result is dropped.
func parseBy(ctx context.Context, r io.Reader, name string, limit int64) ([]*parse.Snapshot, error) {
	type result struct {
		snaps []*parse.Snapshot
		err   error
	}
	done := make(chan result, 1)
	go func() {
		snaps, err := parse.ReadAllLimit(r, name, limit)
		done <- result{snaps, err}
	}()
	select {
	case res := <-done:
		return res.snaps, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// deadlineReader fails once ctx is done, whatever r does.
type deadlineReader struct {
	ctx context.Context
	r   io.Reader
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if err := d.ctx.Err(); err != nil {
		return 0, err
	}
	return d.r.Read(p)
}
