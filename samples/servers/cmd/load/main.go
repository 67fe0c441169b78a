// The load command loads a running server with real clients of its own
// protocol and takes goroutine dumps from the server's pprof endpoint at
// each stage of its life, for stackdiff's test data.
//
// Usage:
//
//	load -kind nats|http|etcd -addr HOST:PORT -pprof URL -out DIR
//	load -freeport
//
// It writes, under DIR:
//
//	idle.txt, idle.debug1.txt, idle.pb.gz   the server before any client (debug=2, 1, 0)
//	ramp/NN.txt                             under NN clients, NN = 2, 4, 8, 16, 32
//	load.txt, load.debug1.txt, load.pb.gz   under the ramp's 32 clients
//	after-load.txt                          once the ramp's clients have gone
//	pair/before.txt, pair/after.txt         around a full load cycle, over a minute apart
//
// Every client stops by itself: at the end of its stage, and in any case
// when -max has passed. The server is the caller's to start and stop.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	kind := flag.String("kind", "", "the server's protocol: nats, http or etcd")
	addr := flag.String("addr", "", "the server's `HOST:PORT` (127.0.0.1 only)")
	pprof := flag.String("pprof", "", "the `URL` of the server's /debug/pprof/ directory")
	out := flag.String("out", "", "write the dumps under `DIR`")
	step := flag.Duration("step", 3*time.Second, "how long each ramp step runs before its dump")
	cycle := flag.Duration("cycle", 65*time.Second, "how long the load cycle between the pair's dumps runs")
	maxRun := flag.Duration("max", 5*time.Minute, "stop everything after this long, whatever the stage")
	freePort := flag.Bool("freeport", false, "print a free TCP port of 127.0.0.1 and exit")
	binDir := flag.String("bindir", "", "the `DIR` the server's binary was built into: protobuf profiles name it by its base name")
	flag.Parse()
	if *freePort {
		return printFreePort()
	}
	dial, ok := dialers[*kind]
	switch {
	case !ok:
		return fmt.Errorf("unknown -kind %q", *kind)
	case *addr == "" || *pprof == "" || *out == "":
		return errors.New("-addr, -pprof and -out are required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *maxRun)
	defer cancel()
	// No keep-alive: a dump shows the request that fetches it, never an
	// idle connection left by the one before.
	fetcher := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	c := &capturer{base: *pprof, dir: *out, http: fetcher, binDir: *binDir}
	if err := c.waitReady(ctx); err != nil {
		return err
	}
	p := &pool{dial: func(i int) (client, error) { return dial(*addr, i) }}
	defer p.stop()
	return stages(ctx, c, p, *step, *cycle)
}

// stages runs the server's life: idle, a ramp of clients, the ramp's end,
// and a load cycle between two dumps.
func stages(ctx context.Context, c *capturer, p *pool, step, cycle time.Duration) error {
	settle := 2 * time.Second
	sleep(ctx, settle)
	if err := c.all(ctx, "idle"); err != nil {
		return err
	}
	for _, n := range []int{2, 4, 8, 16, 32} {
		if err := p.grow(ctx, n); err != nil {
			return err
		}
		sleep(ctx, step)
		if err := p.err(); err != nil {
			return err
		}
		if err := c.take(ctx, fmt.Sprintf("ramp/%02d.txt", n), 2); err != nil {
			return err
		}
	}
	if err := c.all(ctx, "load"); err != nil {
		return err
	}
	p.stop()
	sleep(ctx, settle)
	if err := c.take(ctx, "after-load.txt", 2); err != nil {
		return err
	}
	if err := c.take(ctx, "pair/before.txt", 2); err != nil {
		return err
	}
	if err := p.grow(ctx, 16); err != nil {
		return err
	}
	sleep(ctx, cycle)
	if err := p.err(); err != nil {
		return err
	}
	p.stop()
	sleep(ctx, settle)
	if err := c.take(ctx, "pair/after.txt", 2); err != nil {
		return err
	}
	return ctx.Err()
}

// printFreePort prints a port of 127.0.0.1 that nothing listens on, for
// the capture script to start a server on.
func printFreePort() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// capturer fetches goroutine profiles from the server's pprof endpoint.
type capturer struct {
	base   string
	dir    string
	http   *http.Client
	binDir string
}

// waitReady polls the endpoint until it answers, for up to 30 seconds.
func (c *capturer) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if _, err := c.fetch(ctx, 1); err == nil {
			return nil
		} else if ctx.Err() != nil {
			return fmt.Errorf("pprof endpoint never answered: %v", err)
		}
		sleep(ctx, 200*time.Millisecond)
	}
}

// all writes name.txt, name.debug1.txt and name.pb.gz.
func (c *capturer) all(ctx context.Context, name string) error {
	for _, f := range []struct {
		suffix string
		debug  int
	}{{".txt", 2}, {".debug1.txt", 1}, {".pb.gz", 0}} {
		if err := c.take(ctx, name+f.suffix, f.debug); err != nil {
			return err
		}
	}
	return nil
}

func (c *capturer) take(ctx context.Context, name string, debug int) error {
	b, err := c.fetch(ctx, debug)
	if err == nil && debug == 0 && c.binDir != "" {
		b, err = trimMappings(b, c.binDir)
	}
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	path := filepath.Join(c.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func (c *capturer) fetch(ctx context.Context, debug int) ([]byte, error) {
	url := fmt.Sprintf("%sgoroutine?debug=%d", c.base, debug)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", url, resp.Status)
	}
	return b, err
}
