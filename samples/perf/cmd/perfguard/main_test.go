package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// runsOf makes samples of the given CPU times (ms); wall is twice the CPU.
func runsOf(ms ...int) []sample {
	var s []sample
	for _, m := range ms {
		d := time.Duration(m) * time.Millisecond
		s = append(s, sample{cpu: d, wall: 2 * d})
	}
	return s
}

func TestJudge(t *testing.T) {
	// The floor reads the dump floorPasses times per run: 4 × 50 ms.
	floor := runsOf(230, 200, 260)
	for _, tc := range []struct {
		name  string
		tool  []sample
		ratio float64
		ok    bool
	}{
		{"as expected", runsOf(170, 155, 200), 3.1, true},
		// Noise only ever adds: one quick run is the estimate.
		{"one run disturbed", runsOf(150, 500, 500), 3, true},
		{"at the bound", runsOf(220), 4.4, true},
		{"50% slower", runsOf(240, 233, 250), 4.66, false},
		{"every run slow", runsOf(300, 320), 6, false},
	} {
		v, err := judge(floor, tc.tool, floorPasses, defaultBound)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := v.cpuRatio - tc.ratio; d > 1e-9 || d < -1e-9 || v.ok != tc.ok {
			t.Errorf("%s: ratio %.3f ok %v; want %.3f ok %v", tc.name, v.cpuRatio, v.ok, tc.ratio, tc.ok)
		}
	}
	if _, err := judge(runsOf(0), runsOf(100), floorPasses, defaultBound); err == nil {
		t.Error("a floor of no measurable time was judged")
	}
	if _, err := judge(nil, runsOf(100), floorPasses, defaultBound); err == nil {
		t.Error("no floor runs were judged")
	}
}

// TestBoundCatchesSlowdown keeps the constants honest: the expected ratio
// passes with room for a slower machine, and 1.5 times it fails.
func TestBoundCatchesSlowdown(t *testing.T) {
	if defaultExpected*1.15 > defaultBound {
		t.Errorf("bound %.2f leaves less than 15%% over the expected %.2f: it would be flaky", defaultBound, defaultExpected)
	}
	if defaultExpected*1.5 <= defaultBound*1.05 {
		t.Errorf("bound %.2f lets through a 50%% slowdown of %.2f (1.5× = %.2f)", defaultBound, defaultExpected, defaultExpected*1.5)
	}
}

// TestSelfTest runs the guard for real: it builds stackdiff, generates a
// 100k-goroutine dump and times stackdiff and a stackdiff slowed by 50%.
// The guard must pass the one and reject the other.
func TestSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds stackdiff, generates a dump and needs a quiet machine")
	}
	var out, errOut bytes.Buffer
	code := run([]string{"--self-test"}, &out, &errOut)
	t.Log(out.String())
	if code != 0 {
		t.Fatalf("perfguard --self-test exited %d:\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "rejected: true") {
		t.Errorf("the slowed stackdiff was not reported rejected:\n%s", out.String())
	}
}
