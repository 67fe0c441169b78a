package capture

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
)

// fetchBody is what Fetch hands to the parser: the response body, with the
// size cap applied to the bytes the parser reads — decompressed ones when
// the body is gzip (a goroutine profile, or a dump someone gzipped), so a
// small compressed body cannot expand into gigabytes — and the fetch's
// deadline checked on every read, so that --timeout bounds decompressing
// and parsing too, not only the network.
type fetchBody struct {
	ctx context.Context
	cap *capReader
	// gzipErr is set when the gzip stream ended badly (cut short, a bad
	// checksum): what was read is parsed, and Fetch warns.
	gzipErr error
}

func newFetchBody(ctx context.Context, body io.Reader, limit int64) (*fetchBody, error) {
	br := bufio.NewReader(body)
	f := &fetchBody{ctx: ctx}
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		zr.Multistream(false)
		src = &gzipTail{r: zr, f: f}
	}
	f.cap = &capReader{r: src, left: limit}
	return f, nil
}

func (f *fetchBody) Read(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	return f.cap.Read(p)
}

// gzipTail turns a gzip stream that ends badly into a plain end, noting why:
// a dump cut in transit still yields the goroutines it holds.
type gzipTail struct {
	r io.Reader
	f *fetchBody
}

func (g *gzipTail) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		g.f.gzipErr = err
		err = io.EOF
	}
	return n, err
}
