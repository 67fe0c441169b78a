//go:build unix

package parse_test

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/pprof/profile"
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
	{"shared protobuf locations", 300, sharedLocations},
	{"distinct deep stacks in gzip", 200, distinctDeepStacks},
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

// sharedLocations is a real goroutine profile with k more samples, each
// one goroutine on a stack of its own leaf over the same 99 locations:
// compressed, the profile stays small (each sample refers to locations
// held once) while every group has 100 frames.
func sharedLocations(t testing.TB, k int) []byte {
	p, err := profile.Parse(bytes.NewReader(readTestdata(t, "generated/pprof_goroutine_debug0.pb.gz")))
	if err != nil {
		t.Fatal(err)
	}
	next := uint64(len(p.Location)) + 1
	newLoc := func(from *profile.Location, line int64) *profile.Location {
		l := &profile.Location{ID: next, Mapping: from.Mapping, Address: from.Address}
		for _, ln := range from.Line {
			if line != 0 {
				ln.Line = line
			}
			l.Line = append(l.Line, ln)
		}
		next++
		p.Location = append(p.Location, l)
		return l
	}
	// The shared part: the real profile's locations, each at a new line,
	// 99 in all.
	real := p.Location
	shared := make([]*profile.Location, 99)
	for i := range shared {
		shared[i] = newLoc(real[i%len(real)], int64(2000+i))
	}
	leaf := real[0] // a leaf of the program's own, not of the runtime
	for _, l := range real {
		if len(l.Line) > 0 && !strings.HasPrefix(l.Line[0].Function.Name, "runtime.") {
			leaf = l
			break
		}
	}
	for i := range k {
		locs := append([]*profile.Location{newLoc(leaf, int64(10000+i))}, shared...)
		p.Sample = append(p.Sample, &profile.Sample{Location: locs, Value: []int64{1}})
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// distinctDeepStacks is k goroutines of a real dump's deepest stack, each
// made a distinct stack by its leaf's line number, gzipped.
func distinctDeepStacks(t testing.TB, k int) []byte {
	d := string(readTestdata(t, "generated/stack_deep_recursion_frames_elided.txt"))
	d = d[strings.Index(d, "goroutine "):]
	blk, _, _ := strings.Cut(d, "\n\n")
	head, body, _ := strings.Cut(blk, "\n")
	fn, rest, _ := strings.Cut(body, "\n")
	file, _, _ := strings.Cut(rest, "\n")
	rest = rest[len(file):]
	file = file[:strings.LastIndexByte(file, ':')]
	var b strings.Builder
	for i := range k {
		fmt.Fprintf(&b, "goroutine %d %s\n%s\n%s:%d +0x1d%s\n\n", 100+i, head[strings.IndexByte(head, '['):], fn, file, 10000+i, rest)
	}
	return gz(t, b.String())
}

// peakHeap runs f and returns the most heap its objects took meanwhile,
// sampled every millisecond, and what f allocated in all.
func peakHeap(f func()) (peak, alloc uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	read := func() (uint64, uint64) {
		metrics.Read(sample)
		return sample[0].Value.Uint64(), sample[1].Value.Uint64()
	}
	runtime.GC()
	_, before := read()
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			h, _ := read()
			peak = max(peak, h)
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	peak = <-result
	_, after := read()
	return peak, after - before
}

// TestBudgetSharedContent: small compressed inputs whose content repeats
// (a protobuf profile's samples refer to shared locations; a gzip of
// similar stacks) stay within 512 MiB of heap and 64 MiB of JSON. The
// protobuf case, 133 KB holding 20,000 stacks of 100 frames, took 730 MB
// and gave 328 MB of JSON.
func TestBudgetSharedContent(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("reads inputs of a few MB decompressed, with hundreds of MB of output before the budget")
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"shared protobuf locations", sharedLocations(t, 20_000)},
		{"distinct deep stacks in gzip", distinctDeepStacks(t, 1_500)}, // 10 MB decompressed
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out counter
			peak, alloc := peakHeap(func() {
				snaps, err := parse.ReadAll(bytes.NewReader(tc.in), "in")
				if err != nil {
					t.Fatal(err)
				}
				if err := report.JSON(&out, classify.Compare(snaps, nil)); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%d KB in: peak heap %d MB, %d MB allocated, %d MB of JSON", len(tc.in)>>10, peak>>20, alloc>>20, out.n>>20)
			if peak > 512<<20 {
				t.Errorf("peak heap %d MB, want at most 512 MiB", peak>>20)
			}
			if out.n > 64<<20 {
				t.Errorf("%d MB of JSON, want at most 64 MiB", out.n>>20)
			}
		})
	}
}

// sharedLongName is sharedLocations with the name of one function the
// shared locations call made a megabyte long: the gzipped profile stays a
// few KB, the name is printed once, and every sample refers to it.
func sharedLongName(t testing.TB, k int) []byte {
	p, err := profile.Parse(bytes.NewReader(sharedLocations(t, k)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Function {
		if !strings.HasPrefix(f.Name, "runtime.") {
			f.Name = "main." + strings.Repeat("x", 1<<20) + f.Name
			break
		}
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBudgetSharedLongName: a megabyte function name that every sample of
// a profile refers to costs about what a short one does. It was hashed,
// escaped and searched once per distinct stack: 14 s for a 33 KB profile
// of 4,000 samples (0.1 s with a short name).
func TestBudgetSharedLongName(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("times reads of inputs of a few MB; the race detector's own costs would be measured")
	}
	const k = 1_000
	short := measure(t, sharedLocations(t, k), 3)
	long := measure(t, sharedLongName(t, k), 3)
	t.Logf("short names: %v, %d MB allocated; a 1 MiB name: %v, %d MB", short.time, short.alloc>>20, long.time, long.alloc>>20)
	if long.time > 4*short.time+100*time.Millisecond {
		t.Errorf("a shared 1 MiB name took %v, against %v with short names", long.time, short.time)
	}
	if long.alloc > 2*short.alloc+16<<20 {
		t.Errorf("a shared 1 MiB name allocated %d MB, against %d MB with short names", long.alloc>>20, short.alloc>>20)
	}
}
