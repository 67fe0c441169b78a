package main

import (
	"fmt"
	"slices"
	"time"
)

// sample is the cost of one run of a step: the CPU time (user + system) of
// its processes and their children, and the wall time.
type sample struct {
	cpu, wall time.Duration
}

// best returns the cheapest of the runs, by CPU and by wall separately: on a
// shared machine every disturbance makes a run slower, never faster, so the
// minimum is the estimate that noise moves least.
func best(runs []sample) sample {
	if len(runs) == 0 {
		return sample{}
	}
	b := runs[0]
	for _, r := range runs[1:] {
		b.cpu = min(b.cpu, r.cpu)
		b.wall = min(b.wall, r.wall)
	}
	return b
}

// verdict is the guard's finding on one tool.
type verdict struct {
	cpuRatio, wallRatio float64 // best tool time over best floor time
	ok                  bool    // cpuRatio within the bound
}

// judge compares a tool's runs with the floor's. floorPasses is how many
// times each floor run read the dump: the floor is run on the dump given
// several times, so that its time, a few tens of milliseconds at 100k
// goroutines, is well above the clock's resolution.
//
// The bound applies to CPU time. Wall time on a 2-core machine shared with
// other work depends on how many cores happen to be free (stackdiff lexes
// on every core, the floor uses one), while the CPU time a process spends
// on its own work moves much less; the wall ratio is printed, not judged.
func judge(floor, tool []sample, floorPasses int, bound float64) (verdict, error) {
	if len(floor) == 0 || len(tool) == 0 || floorPasses < 1 {
		return verdict{}, fmt.Errorf("no runs to judge")
	}
	f, t := best(floor), best(tool)
	if f.cpu <= 0 || f.wall <= 0 {
		return verdict{}, fmt.Errorf("the floor took no measurable time (cpu %v, wall %v): give it a bigger dump or more passes", f.cpu, f.wall)
	}
	perPass := func(d time.Duration) float64 { return d.Seconds() / float64(floorPasses) }
	v := verdict{
		cpuRatio:  t.cpu.Seconds() / perPass(f.cpu),
		wallRatio: t.wall.Seconds() / perPass(f.wall),
	}
	v.ok = v.cpuRatio <= bound
	return v, nil
}

// median returns the median of the CPU times, for the report.
func median(runs []sample) time.Duration {
	c := make([]time.Duration, len(runs))
	for i, r := range runs {
		c[i] = r.cpu
	}
	slices.Sort(c)
	if len(c) == 0 {
		return 0
	}
	return c[len(c)/2]
}
