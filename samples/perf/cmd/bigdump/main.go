// Command bigdump writes a big, real goroutine dump for performance work.
//
// It starts -n goroutines blocked in real ways (channel send and receive,
// select, sync.Mutex, sync.WaitGroup, sync.Cond, time.Sleep, nil channel,
// select{}), spread over --stacks distinct call stacks and spawned by
// --parents distinct goroutines, writes runtime.Stack of all goroutines, then
// wakes whatever can be woken and exits. Synthetic text would miss what the
// runtime really prints (argument spills, "?" markers, created-by parents).
//
// Build it with -trimpath so the dump carries no machine paths.
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/spf13/pflag"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("bigdump", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.IntP("goroutines", "n", 100000, "number of blocked goroutines")
	stacks := fs.Int("stacks", 50, "number of distinct call stacks")
	depth := fs.Int("depth", 6, "minimum number of main.levelN frames per stack (~100 dump bytes each)")
	parents := fs.Int("parents", 1, "number of distinct goroutines spawning them (distinct 'created by ... in goroutine N')")
	netio := fs.Int("netio", 0, "extra goroutines in IO wait on loopback TCP (2 file descriptors each)")
	labels := fs.Int("labels", 0, "label the goroutines with this many distinct pprof label sets (printed in the headers by Go 1.27, or Go 1.26 with GODEBUG=tracebacklabels=1)")
	kindList := fs.StringSlice("kinds", kindNames[:], "blocking kinds to use, round-robin over the stacks")
	gz := fs.Bool("gzip", false, "gzip the output")
	out := fs.StringP("output", "o", "", "write to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *n < 1 || *stacks < 1 || *stacks > *n || *parents < 1 || *parents > *n || *depth < 1 || *depth > 18 || *netio < 0 || *labels < 0 || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "bigdump: need -n >= 1, 1 <= --stacks <= -n, 1 <= --parents <= -n, 1 <= --depth <= 18, --netio >= 0, --labels >= 0, no arguments")
		return 2
	}
	var err error
	if kinds, err = parseKinds(*kindList); err != nil {
		fmt.Fprintln(stderr, "bigdump:", err)
		return 2
	}
	setDepth(*depth, *stacks)
	setLabels(*labels)
	if err := generate(*n, *stacks, *parents, *netio, *gz, *out, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "bigdump:", err)
		return 1
	}
	return 0
}

func generate(n, stacks, parents, netio int, gz bool, out string, stdout, stderr io.Writer) error {
	// Open the output first: failing after parking a million goroutines
	// would waste a minute.
	w := stdout
	var f *os.File
	if out != "" {
		var err error
		if f, err = os.Create(out); err != nil {
			return err
		}
		defer f.Close() // on early returns; the normal path checks Close below
		w = f
	}

	// The live set is the parked goroutines themselves and almost nothing
	// becomes garbage, yet every GC cycle rescans every goroutine stack:
	// with collection on, spawning 1M goroutines took 26s instead of 4s.
	debug.SetGCPercent(-1)

	t0 := time.Now()
	bl = newBlockers()
	spawnAll(n, stacks, parents)
	var nio *netIO
	if netio > 0 {
		var err error
		if nio, err = startNetIO(netio); err != nil {
			return err
		}
	}
	dump, stragglers := waitParked(int64(n+netio), n+netio)
	t1 := time.Now()

	if err := write(w, dump, gz); err != nil {
		return err
	}
	t2 := time.Now()
	size := len(dump)
	dump = nil

	if nio != nil {
		nio.close()
	}
	bl.release()
	t3 := time.Now()
	fmt.Fprintf(stderr, "bigdump: %d goroutines, %d stacks, %d parents: dump %d bytes (%d B/goroutine), %d stragglers; park+dump %.2fs, write %.2fs, release %.2fs\n",
		n+netio, stacks, parents, size, size/(n+netio), stragglers,
		t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t3.Sub(t2).Seconds())
	if f != nil {
		// A failed close of a written file is a failed run.
		return f.Close()
	}
	return nil
}

// spawnAll starts n workers from `parents` spawner goroutines and returns once
// all are started (not yet parked). Spawners exit afterwards; the dump still
// names them in every "created by main.spawn in goroutine N" line.
func spawnAll(n, stacks, parents int) {
	done := make(chan struct{})
	per, extra := n/parents, n%parents
	from := 0
	for p := range parents {
		to := from + per
		if p < extra {
			to++
		}
		go spawn(from, to, stacks, done)
		from = to
	}
	for range parents {
		<-done
	}
}

func spawn(from, to, stacks int, done chan<- struct{}) {
	for i := from; i < to; i++ {
		if len(labelCtxs) > 0 {
			// The worker inherits the spawner's labels.
			pprof.SetGoroutineLabels(labelCtxs[i%len(labelCtxs)])
		}
		go worker(i % stacks)
	}
	done <- struct{}{}
}

// labelCtxs are the label sets of --labels: a bare key and value, and a
// key that the runtime quotes.
var labelCtxs []context.Context

func setLabels(n int) {
	for i := range n {
		labelCtxs = append(labelCtxs, pprof.WithLabels(context.Background(),
			pprof.Labels("endpoint", fmt.Sprintf("/api/v%d", i%7), "request id", fmt.Sprintf("r-%d", i))))
	}
}

func write(w io.Writer, dump []byte, gz bool) error {
	if !gz {
		_, err := w.Write(dump)
		return err
	}
	// BestSpeed: the dump is highly repetitive, so the ratio barely moves,
	// while default compression of a gigabyte takes long.
	bw := bufio.NewWriterSize(w, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err != nil {
		return err
	}
	if _, err := zw.Write(dump); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}
