// Command gsparse is the second baseline of samples/perf/bench.sh: DataDog's
// gostackparse, which parses every goroutine, followed by the obvious
// grouping, a hash map keyed by state, frames and creator. It prints the
// number of goroutines and of groups.
//
//	gsparse FILE...
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/DataDog/gostackparse"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: gsparse FILE...")
		return 2
	}
	total, groups := 0, 0
	for _, name := range args {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "gsparse: %v\n", err)
			return 2
		}
		gs, errs := gostackparse.Parse(f)
		f.Close()
		if len(gs) == 0 && len(errs) > 0 {
			fmt.Fprintf(stderr, "gsparse: %s: %v\n", name, errs[0])
			return 2
		}
		byKey := map[string]int{}
		for _, g := range gs {
			byKey[key(g)]++
		}
		total += len(gs)
		groups += len(byKey)
	}
	fmt.Fprintf(stdout, "goroutines %d groups %d\n", total, groups)
	return 0
}

// key is the signature of a goroutine without argument values or IDs.
func key(g *gostackparse.Goroutine) string {
	var b strings.Builder
	b.WriteString(g.State)
	for _, f := range g.Stack {
		b.WriteString("\n" + f.Func + " " + f.File + ":" + strconv.Itoa(f.Line))
	}
	if g.CreatedBy != nil {
		b.WriteString("\ncreated by " + g.CreatedBy.Func)
	}
	return b.String()
}
