// Command floor is the one-pass floor of dump processing: it reads the files
// once with a large buffer and counts the lines starting with "goroutine ".
// No parser reading the whole dump can beat its wall time, so the benchmark
// reports every tool as a ratio to it. Several files are summed, which gives
// the floor of a two-dump diff.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: floor FILE...")
		return 2
	}
	total := 0
	for _, path := range args {
		n, err := countFile(path)
		if err != nil {
			fmt.Fprintln(stderr, "floor:", err)
			return 1
		}
		total += n
	}
	fmt.Fprintln(stdout, total)
	return 0
}

func countFile(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return count(f)
}

// count counts "\ngoroutine " with bytes.Count, carrying the last bytes of
// each chunk over so a match split across two reads is still seen. A leading
// newline is faked so the very first line counts too.
func count(r io.Reader) (int, error) {
	needle := []byte("\ngoroutine ")
	buf := make([]byte, 4<<20)
	buf[0] = '\n'
	keep := 1
	n := 0
	for {
		m, err := r.Read(buf[keep:])
		data := buf[:keep+m]
		n += bytes.Count(data, needle)
		// Keep a tail shorter than the needle: it cannot hold a whole match
		// (already counted) but may hold the start of the next one.
		keep = min(len(needle)-1, len(data))
		copy(buf, data[len(data)-keep:])
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
