// Command perfguard is the performance check of CI: it builds stackdiff,
// generates a real dump of 100k goroutines with bigdump, and times
// `stackdiff --json` against the one-pass floor (cmd/floor) in the same run,
// on the same machine, as a ratio of CPU times. It fails (exit 1) when the
// ratio is beyond a generous bound: a clear regression, not noise.
//
//	cd samples/perf && go run ./cmd/perfguard
//
// Exit status: 0 within the bound, 1 beyond it, 2 trouble (a build, the
// generator or a run failed).
//
// --self-test also times a deliberately slowed stackdiff (the same binary
// run again on the first half of the dump: half as much work again, plus
// the start of a second process) and fails unless the guard rejects it,
// which shows that the bound is tight enough on this machine to catch a
// 50% slowdown. TestBoundCatchesSlowdown checks that the bound is below
// 1.5 times the expected ratio.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/spf13/pflag"
)

// defaultBound is the largest CPU ratio to the floor that passes. The
// expected ratio is that of a quiet 2-core machine on the 100k dump, best
// of 5: stackdiff about 0.099 s of CPU, the floor about 0.032 s a pass
// (3.0-3.2 in three runs; the fixed costs of stackdiff weigh more at 100k
// than at 1M, where it is 2.4). The bound leaves 40% for a slower machine
// and stays below 1.5 times the expected ratio, so that a 50% slowdown
// fails; --self-test's slowed run measured 5.0-5.3. The version before the
// raw-body lookup fix measured about 7 and the one before the orphan and
// chunk changes about 18: both fail. On a machine busy with other work the
// floor's time (copying the page cache) swells more than stackdiff's and
// the ratio drops: the guard then passes more easily, and --self-test says
// when it cannot see a regression there.
const (
	defaultExpected = 3.1
	defaultBound    = 4.4
)

// floorPasses is how many times each floor run reads the dump (see judge).
const floorPasses = 4

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type config struct {
	n, runs  int
	bound    float64
	repo     string
	dump     string
	selfTest bool
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("perfguard", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVarP(&c.n, "goroutines", "n", 100000, "goroutines in the generated dump")
	fs.IntVar(&c.runs, "runs", 5, "timed runs of each tool; the best counts")
	fs.Float64Var(&c.bound, "bound", defaultBound, "fail when stackdiff's CPU time is more than this many times the floor's")
	fs.StringVar(&c.repo, "repo", "", "the stackdiff repository (default: two directories above this module)")
	fs.StringVar(&c.dump, "dump", "", "time this dump instead of generating one (kept as is)")
	fs.BoolVar(&c.selfTest, "self-test", false, "also time a stackdiff slowed by 50% and fail unless the guard rejects it")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if c.n < 1000 || c.runs < 1 || c.bound <= 0 || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "perfguard: need -n >= 1000, --runs >= 1, --bound > 0, no arguments")
		return 2
	}
	tmp, err := os.MkdirTemp("", "perfguard")
	if err != nil {
		fmt.Fprintln(stderr, "perfguard:", err)
		return 2
	}
	defer os.RemoveAll(tmp)
	res, err := c.measure(tmp, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "perfguard:", err)
		return 2
	}
	res.print(stdout, c.bound)
	if !res.real.ok {
		fmt.Fprintf(stderr, "perfguard: stackdiff takes %.2f× the floor's CPU time, beyond the bound of %.2f×: a performance regression\n", res.real.cpuRatio, c.bound)
		return 1
	}
	if c.selfTest && res.slowed.ok {
		fmt.Fprintf(stderr, "perfguard: a stackdiff slowed by 50%% (%.2f×) passes the bound of %.2f×: the guard cannot see a regression on this machine\n", res.slowed.cpuRatio, c.bound)
		return 1
	}
	return 0
}

// result holds the verdicts of one guard run.
type result struct {
	n            int
	floor        []sample
	real, slowed verdict
	tool         []sample
}

func (r result) print(w io.Writer, bound float64) {
	f := best(r.floor)
	fmt.Fprintf(w, "perfguard: %d goroutines; floor %.3fs cpu per pass (best of %d)\n", r.n, f.cpu.Seconds()/floorPasses, len(r.floor))
	fmt.Fprintf(w, "perfguard: stackdiff %.2f× the floor in cpu (bound %.2f×), %.2f× in wall; best %.3fs cpu, median %.3fs\n",
		r.real.cpuRatio, bound, r.real.wallRatio, best(r.tool).cpu.Seconds(), median(r.tool).Seconds())
	if r.slowed != (verdict{}) {
		fmt.Fprintf(w, "perfguard: stackdiff slowed by 50%%: %.2f× in cpu, rejected: %v\n", r.slowed.cpuRatio, !r.slowed.ok)
	}
}

// measure builds the tools, makes the dump and times every step.
func (c config) measure(tmp string, stderr io.Writer) (result, error) {
	bin, err := build(c.repo, tmp, stderr)
	if err != nil {
		return result{}, err
	}
	dump := c.dump
	if dump == "" {
		dump = filepath.Join(tmp, "dump.txt")
		gen := exec.Command(bin["bigdump"], "-n", strconv.Itoa(c.n), "--stacks", "50", "-o", dump)
		gen.Stderr = stderr
		if err := gen.Run(); err != nil {
			return result{}, fmt.Errorf("bigdump: %v", err)
		}
	}
	floorArgs := []string{bin["floor"]}
	for range floorPasses {
		floorArgs = append(floorArgs, dump)
	}
	stackdiff := []string{bin["stackdiff"], "--json", dump}
	steps := []step{
		{name: "floor", cmds: [][]string{floorArgs}, each: 3},
		{name: "stackdiff", cmds: [][]string{stackdiff}, okCodes: []int{0, 1}},
	}
	if c.selfTest {
		half := filepath.Join(tmp, "half.txt")
		if err := writeHalf(dump, half); err != nil {
			return result{}, err
		}
		steps = append(steps, slowedStep(stackdiff, half))
	}
	runs, err := measureAll(steps, c.runs)
	if err != nil {
		return result{}, err
	}
	res := result{n: c.n, floor: runs[0], tool: runs[1]}
	if res.real, err = judge(runs[0], runs[1], floorPasses, c.bound); err != nil {
		return result{}, err
	}
	if c.selfTest {
		if res.slowed, err = judge(runs[0], runs[2], floorPasses, c.bound); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

// slowedStep is stackdiff with half of its work added: the same command,
// then the same binary on a dump half the size. The extra work is
// stackdiff's own, spread as a real regression would be.
func slowedStep(stackdiff []string, half string) step {
	again := append([]string{}, stackdiff[:len(stackdiff)-1]...)
	return step{name: "stackdiff slowed", cmds: [][]string{stackdiff, append(again, half)}, okCodes: []int{0, 1}}
}

// writeHalf copies the first half of a dump, cut before a goroutine header.
func writeHalf(dump, half string) error {
	b, err := os.ReadFile(dump)
	if err != nil {
		return err
	}
	i := bytes.Index(b[len(b)/2:], []byte("\ngoroutine "))
	if i < 0 {
		return fmt.Errorf("%s: no goroutine header in its second half", dump)
	}
	return os.WriteFile(half, b[:len(b)/2+i+1], 0o644)
}

// build compiles stackdiff from the repository and the floor and the
// generator from this module, with -trimpath as bench.sh does.
func build(repo, dir string, stderr io.Writer) (map[string]string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		return nil, fmt.Errorf("cannot find this module's go.mod (run from inside samples/perf): %v", err)
	}
	perf := filepath.Dir(string(bytes.TrimSpace(out)))
	if repo == "" {
		repo = filepath.Join(perf, "..", "..")
	}
	bin := map[string]string{}
	for _, t := range []struct{ name, dir, pkg string }{
		{"stackdiff", repo, "./cmd/stackdiff"},
		{"floor", perf, "./cmd/floor"},
		{"bigdump", perf, "./cmd/bigdump"},
	} {
		out := filepath.Join(dir, t.name)
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, t.pkg)
		cmd.Dir = t.dir
		cmd.Stdout, cmd.Stderr = stderr, stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("building %s: %v", t.name, err)
		}
		bin[t.name] = out
	}
	return bin, nil
}
