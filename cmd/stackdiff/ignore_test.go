package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
)

// parkSendFunc is parkSend's name as stacks print it: in a test binary,
// package main has its import path.
var parkSendFunc = runtime.FuncForPC(reflect.ValueOf(parkSend).Pointer()).Name()

//go:noinline
func parkSend(ch chan<- int) { ch <- 1 }

// startParked starts n goroutines parked in parkSend until release.
func startParked(n int) (release func()) {
	ch := make(chan int)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); parkSend(ch) }()
	}
	return func() {
		for range n {
			<-ch
		}
		wg.Wait()
	}
}

type recordT struct{ errs []string }

func (*recordT) Helper() {}
func (r *recordT) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func dumpTo(t *testing.T, path string) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOneIgnore: one ignore gives the same verdict through capture.Diff,
// capture.VerifyNone and the CLI's --ignore, for every way to say it.
func TestOneIgnore(t *testing.T) {
	tests := []struct {
		cli string
		opt capture.Option
	}{
		{"", nil},
		{parkSendFunc, capture.IgnoreAnyFunction(parkSendFunc)},
		{"stackdiff.parkSend", capture.IgnoreAnyFunction("stackdiff.parkSend")},
		{"parkSend", capture.IgnoreAnyFunction("parkSend")},
		{"top:parkSend", capture.IgnoreTopFunction("parkSend")},
		{"top:" + parkSendFunc, capture.IgnoreTopFunction(parkSendFunc)},
		{"creator:startParked", capture.IgnoreCreatedBy("startParked")},
		{"noSuchFunc", capture.IgnoreAnyFunction("noSuchFunc")},
	}
	for _, tc := range tests {
		t.Run(tc.cli, func(t *testing.T) {
			want := classify.Leak
			if tc.cli != "" && tc.cli != "noSuchFunc" {
				want = classify.OK
			}
			wait := capture.MaxWait(100e6)
			opts := []capture.Option{capture.IgnoreCurrent(), wait, tc.opt}

			// capture.Diff
			var release func()
			rep, err := capture.Diff(context.Background(), func() { release = startParked(3) }, opts...)
			if err != nil {
				t.Fatal(err)
			}
			diffV := verdictOf(rep.Groups, func(g *classify.Group) bool { return g.Site != nil && g.Site.Func == parkSendFunc })

			// capture.VerifyNone: a failure is the verdict leak.
			var rt recordT
			capture.VerifyNone(&rt, opts...)
			verifyV := classify.OK
			if len(rt.errs) > 0 && strings.Contains(rt.errs[0], "parkSend") {
				verifyV = classify.Leak
			}
			release()

			// The CLI, on dumps taken before and after.
			dir := t.TempDir()
			before, after := filepath.Join(dir, "before.txt"), filepath.Join(dir, "after.txt")
			dumpTo(t, before)
			release = startParked(3)
			capture.Settle(context.Background())
			dumpTo(t, after)
			release()
			args := []string{"--json", before, after}
			if tc.cli != "" {
				args = append([]string{"--ignore", tc.cli}, args...)
			}
			var stdout, stderr bytes.Buffer
			run(args, nil, &stdout, &stderr)
			var out struct {
				Groups []struct {
					Verdict classify.Verdict
					Site    *struct{ Func string }
				}
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			cliV := classify.Verdict("absent")
			for _, g := range out.Groups {
				if g.Site != nil && g.Site.Func == parkSendFunc {
					cliV = g.Verdict
				}
			}
			if diffV != want || verifyV != want || cliV != want {
				t.Errorf("verdicts: Diff %q, VerifyNone %q, CLI %q; want %q for all", diffV, verifyV, cliV, want)
			}
			if warned := strings.Contains(stderr.String(), "matched no goroutine"); warned != (tc.cli == "noSuchFunc") {
				t.Errorf("unused-ignore warning = %v; stderr %q", warned, stderr.String())
			}
		})
	}
}

func verdictOf(gs []*classify.Group, pick func(*classify.Group) bool) classify.Verdict {
	for _, g := range gs {
		if pick(g) {
			return g.Verdict
		}
	}
	return "absent"
}
