//go:build unix

package parse_test

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
)

// The budget property: whatever the shape of an input, the time, the memory
// and the output of reading it and reporting on it grow about linearly with
// its size. Each hostile input below is built by code from a real dump at a
// size k and at growth times k; a quadratic step shows as growth² where
// linear work shows as growth. Sizes are short here (a few seconds in
// all); the -budget.scale flag runs them bigger.

// hostile builds an input of size k (in its own unit) from real dumps.
type hostile struct {
	name string
	k    int // the base size in go test
	make func(t testing.TB, k int) []byte
}

// budgetScale multiplies the sizes: go test ./parse -run Budget
// -budget.scale 64 reads inputs of hundreds of MB.
var budgetScale = flag.Int("budget.scale", 1, "multiply the sizes of the budget tests' hostile inputs")

var hostiles = []hostile{
	{"repeated ID", 5_000, repeatedID},
	{"deep stack", 20_000, deepStack},
	{"long name", 100_000, longName},
	{"distinct stacks in gzip", 1_000, distinctStacks},
	{"ancestry chain", 4_000, ancestryChain},
}

// repeatedID is one goroutine block repeated k times: every repeat of its ID
// starts a new dump. Gzipped, as it would come over HTTP.
func repeatedID(t testing.TB, k int) []byte {
	one := string(readTestdata(t, "generated/panic_send_on_closed_channel.txt"))
	blk := one[strings.Index(one, "goroutine "):]
	return gz(t, strings.Repeat(blk, k))
}

// deepStack is a real dump whose main goroutine has k more frames.
func deepStack(t testing.TB, k int) []byte {
	return []byte(deepen(t, string(readTestdata(t, "generated/stack_mixed_states.txt")), "goroutine 1 [running]:\n", 2, k))
}

// longName is a real dump whose functions main.* have names k bytes longer.
func longName(t testing.TB, k int) []byte {
	d := string(readTestdata(t, "generated/stack_mixed_states.txt"))
	return []byte(strings.ReplaceAll(d, "main.", "main."+strings.Repeat("x", k)+"."))
}

// distinctStacks is k goroutines of one real block, each made a distinct
// stack by its leaf's line number: compressed, the input stays small while
// the groups grow with k.
func distinctStacks(t testing.TB, k int) []byte {
	d := string(readTestdata(t, "generated/stack_tracebackancestors.txt"))
	blk := d[strings.Index(d, "goroutine 22 "):]
	blk = blk[:strings.Index(blk, "[originating")]
	var b strings.Builder
	b.WriteString(d[:strings.Index(d, "goroutine 21 ")])
	for i := range k {
		s := strings.Replace(blk, "goroutine 22 ", fmt.Sprintf("goroutine %d ", 100+i), 1)
		s = strings.Replace(s, "main.go:172 ", fmt.Sprintf("main.go:%d ", 1000+i), 1)
		b.WriteString(s + "\n")
	}
	return gz(t, b.String())
}

// ancestryChain is k goroutines each started by the one before, each with
// the ancestry section of its parent (GODEBUG=tracebackancestors): a line
// of descent k goroutines long, from the real dump's goroutine 22.
func ancestryChain(t testing.TB, k int) []byte { return chain(t, k, true) }

// chain is ancestryChain, with or without the ancestry sections.
func chain(t testing.TB, k int, sections bool) []byte {
	d := string(readTestdata(t, "generated/stack_tracebackancestors.txt"))
	blk := d[strings.Index(d, "goroutine 22 "):]
	blk = blk[:strings.Index(blk, "[originating from goroutine 1]")] // goroutine 22, its parent's section
	if !sections {
		blk = blk[:strings.Index(blk, "[originating")]
	}
	var b strings.Builder
	b.WriteString(d[:strings.Index(d, "goroutine 22 ")])
	for i := range k {
		id, parent := 100+i, 99+i
		if i == 0 {
			parent = 21
		}
		s := strings.Replace(blk, "goroutine 22 ", fmt.Sprintf("goroutine %d ", id), 1)
		s = strings.Replace(s, "in goroutine 21", fmt.Sprintf("in goroutine %d", parent), 1)
		s = strings.Replace(s, "from goroutine 21]", fmt.Sprintf("from goroutine %d]", parent), 1)
		b.WriteString(s + "\n")
	}
	return []byte(b.String())
}

func gz(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// cost is what reading an input and reporting on it took.
type cost struct {
	time  time.Duration // CPU time of the process: on a shared machine wall time says more of the others
	alloc uint64        // bytes allocated (runtime.MemStats.TotalAlloc)
	out   int           // bytes of the JSON report
}

type counter struct{ n int }

func (c *counter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// measure reads in, compares and writes the JSON report, as stackdiff
// --json does; the best of runs times.
func measure(t testing.TB, in []byte, runs int) cost {
	var best cost
	for i := range runs {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		start := cpuTime(t)
		snaps, err := parse.ReadAll(bytes.NewReader(in), "in")
		if err != nil {
			t.Fatal(err)
		}
		var w counter
		if err := report.JSON(&w, classify.Compare(snaps, nil)); err != nil {
			t.Fatal(err)
		}
		c := cost{time: cpuTime(t) - start, out: w.n}
		runtime.ReadMemStats(&m1)
		c.alloc = m1.TotalAlloc - m0.TotalAlloc
		if i == 0 || c.time < best.time {
			best.time = c.time
		}
		if i == 0 || c.alloc < best.alloc {
			best.alloc = c.alloc
		}
		best.out = c.out
	}
	return best
}

// cpuTime is the user and system time of this process so far.
func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// budgetGrowth is how much bigger the second input of each pair is.
const budgetGrowth = 8

// checkLinear compares the costs of an input at size k and growth × k:
// each may grow at most slack × growth (quadratic work grows growth²).
// Time is measured on a machine shared with other work: its slack is
// wider, still far below the growth² of a quadratic step.
func checkLinear(t *testing.T, name string, small, big cost) {
	t.Helper()
	for _, m := range []struct {
		what     string
		from, to float64
		slack    float64
	}{
		{"time", float64(small.time), float64(big.time), 3},
		{"allocated memory", float64(small.alloc), float64(big.alloc), 1.5},
		{"output", float64(small.out), float64(big.out), 1.5},
	} {
		if limit := m.slack * budgetGrowth; m.from > 0 && m.to/m.from > limit {
			t.Errorf("%s: %s grew %.1f× for a %d× bigger input (at most %.0f×): %v → %v",
				name, m.what, m.to/m.from, budgetGrowth, limit, m.from, m.to)
		}
	}
}

// TestBudgetLinear is the budget property on short sizes.
func TestBudgetLinear(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("times reads of inputs of a few MB; the race detector's own costs would be measured")
	}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			k := h.k * *budgetScale
			small := measure(t, h.make(t, k), 3)
			big := measure(t, h.make(t, budgetGrowth*k), 3)
			t.Logf("k=%d: %v, %d KB allocated, %d B out; %d×: %v, %d KB, %d B",
				k, small.time, small.alloc>>10, small.out, budgetGrowth, big.time, big.alloc>>10, big.out)
			checkLinear(t, h.name, small, big)
		})
	}
}

// TestBudgetAncestry: following the lines of descent of a chain of
// goroutines, each started by the one before, costs about what reading the
// chain costs. Walking every goroutine's line to its end (or to a cap of
// hundreds of steps) made the ancestry the whole cost: 48 s for a million.
func TestBudgetAncestry(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("times reads of inputs of a few MB; the race detector's own costs would be measured")
	}
	k := 20_000 * *budgetScale
	with := measure(t, chain(t, k, true), 3)
	without := measure(t, chain(t, k, false), 3)
	t.Logf("%d goroutines: %v with the ancestry, %v without", k, with.time, without.time)
	// The sections double the input; following the lines adds little.
	if r := with.time.Seconds() / without.time.Seconds(); r > 5 {
		t.Errorf("a chain of %d goroutines takes %.1f× longer with its ancestry (%v vs %v)", k, r, with.time, without.time)
	}
}
