// The scenarios command runs leak scenarios from package scenarios and writes
// a goroutine dump before and after each, as inputs for stackdiff.
//
// Usage:
//
//	scenarios -list                 print the scenario names, one per line
//	scenarios -run NAME -dir OUT    write OUT/before.txt and OUT/after.txt
//	scenarios -all -dir OUT         write OUT/NAME/{before,after}.txt for every scenario
//	scenarios -all -sigquit -dir OUT
//	                                write OUT/NAME/sigquit.txt: what the runtime prints when
//	                                the process, after the scenario, gets SIGQUIT (Unix only)
//
// For each scenario it runs Setup (if any), writes the "before" dump, runs
// the scenario, writes the "after" dump, then stops everything. Flags may be
// spelled -flag or --flag.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/pflag"

	"github.com/stackdiff/stackdiff/samples/scenarios"
)

func main() {
	crashIfAsked()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status: 0 on success, 1 when
// writing a dump fails, 2 on a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("scenarios", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprint(stdout, "Usage: scenarios -list | -run NAME -dir DIR | -all -dir DIR\n\n")
		fs.PrintDefaults()
	}
	list := fs.Bool("list", false, "print the scenario names, one per line")
	name := fs.String("run", "", "run the scenario `NAME`, writing DIR/before.txt and DIR/after.txt")
	all := fs.Bool("all", false, "run every scenario, writing DIR/NAME/before.txt and after.txt")
	dir := fs.String("dir", "", "write the dumps under `DIR`")
	sigquit := fs.Bool("sigquit", false, "with -run or -all: write sigquit.txt, the SIGQUIT crash dump of a process that ran the scenario, instead of before.txt and after.txt")
	if err := fs.Parse(goStyle(fs, args)); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return usage(stderr, err)
	}
	modes := 0
	for _, on := range []bool{*list, *name != "", *all} {
		if on {
			modes++
		}
	}
	switch {
	case fs.NArg() > 0:
		return usage(stderr, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case modes != 1:
		return usage(stderr, errors.New("give exactly one of -list, -run or -all"))
	case *list:
		for _, s := range scenarios.All {
			fmt.Fprintln(stdout, s.Name)
		}
		return 0
	case *dir == "":
		return usage(stderr, errors.New("-dir is required with -run and -all"))
	}
	todo := scenarios.All
	if *name != "" {
		s, ok := scenarios.Lookup(*name)
		if !ok {
			return usage(stderr, fmt.Errorf("unknown scenario %q (see -list)", *name))
		}
		todo = []scenarios.Scenario{s}
	}
	for _, s := range todo {
		out := *dir
		if *all {
			out = filepath.Join(*dir, s.Name)
		}
		write := dumpScenario
		if *sigquit {
			write = func(s scenarios.Scenario, dir string) error {
				return writeSigquit(s, filepath.Join(dir, "sigquit.txt"))
			}
		}
		if err := write(s, out); err != nil {
			fmt.Fprintf(stderr, "scenarios: %s: %v\n", s.Name, err)
			return 1
		}
	}
	return 0
}

func usage(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "scenarios: %v\nRun 'scenarios --help' for usage.\n", err)
	return 2
}

// goStyle rewrites Go-style single-dash long flags ("-run x") to pflag's
// spelling ("--run x"), so that both work; pflag alone would read "-run" as
// the shorthands -r -u -n.
func goStyle(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			if name, _, _ := strings.Cut(a[1:], "="); fs.Lookup(name) != nil || name == "help" {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// dumpScenario runs s between two dumps written to dir, and always stops what
// it started, even when a write fails.
func dumpScenario(s scenarios.Scenario, dir string) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if s.Setup != nil {
		defer s.Setup()()
	}
	if err := writeDump(filepath.Join(dir, "before.txt")); err != nil {
		return err
	}
	stop := s.Run()
	defer stop()
	return writeDump(filepath.Join(dir, "after.txt"))
}

// writeDump writes runtime.Stack of all goroutines, growing the buffer until
// the whole dump fits.
func writeDump(path string) error {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return os.WriteFile(path, buf[:n], 0o644)
		}
		buf = make([]byte, 2*len(buf))
	}
}
