// Command ppaggregate is the performance baseline: it groups a goroutine dump
// with panicparse v2 the way its authors intend (the ScanSnapshot loop of
// panicparse's own CLI, then Snapshot.Aggregate) and prints how many
// goroutines and buckets it found.
//
// Opts is empty on purpose, not DefaultOpts: guessing paths and analyzing
// sources read the local disk, which measures the machine rather than the
// parser and would not apply to a dump taken elsewhere.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/maruel/panicparse/v2/stack"
	"github.com/spf13/pflag"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("ppaggregate", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	sim := fs.String("similarity", "anypointer", "exact|anypointer|anyvalue")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	similarity, ok := similarities[*sim]
	if !ok || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: ppaggregate [--similarity exact|anypointer|anyvalue] FILE")
		return 2
	}
	if err := aggregate(fs.Arg(0), similarity, stdout); err != nil {
		fmt.Fprintln(stderr, "ppaggregate:", err)
		return 1
	}
	return 0
}

// similarities maps the flag to panicparse levels. "exact" is ExactFlags,
// the strictest level (it is what panicparse's own Signature.equal uses).
var similarities = map[string]stack.Similarity{
	"exact":      stack.ExactFlags,
	"anypointer": stack.AnyPointer,
	"anyvalue":   stack.AnyValue,
}

func aggregate(path string, similarity stack.Similarity, stdout io.Writer) error {
	in, closeIn, err := open(path)
	if err != nil {
		return err
	}
	defer closeIn()

	snapshots, goroutines, buckets := 0, 0, 0
	// A file may hold several snapshots; this is the loop of panicparse's
	// own CLI (internal/main.go process), minus the printing.
	for {
		snap, suffix, err := stack.ScanSnapshot(in, io.Discard, &stack.Opts{})
		if snap != nil {
			snapshots++
			goroutines += len(snap.Goroutines)
			buckets += len(snap.Aggregate(similarity).Buckets)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if snap == nil {
			// Not reachable with v2.5.0 (no snapshot implies an error), but
			// an endless loop is a bad failure mode for a benchmark.
			break
		}
		in = io.MultiReader(bytes.NewReader(suffix), in)
	}
	_, err = fmt.Fprintf(stdout, "snapshots %d goroutines %d buckets %d\n", snapshots, goroutines, buckets)
	return err
}

// open returns the file's content, gunzipped when it starts with the gzip
// magic number, so the caller need not know which it got.
func open(path string) (io.Reader, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	// panicparse reads 16 KB at a time; a large buffer keeps the syscall
	// count out of the measurement.
	br := bufio.NewReaderSize(f, 1<<20)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return br, func() { f.Close() }, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return zr, func() { zr.Close(); f.Close() }, nil
}
