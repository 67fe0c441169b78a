package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// step is what one timed run executes: one or more commands in a row. The
// deliberately slowed stackdiff of the self-test is two commands.
type step struct {
	name string
	cmds [][]string
	// okCodes are the exit statuses that count as success: stackdiff exits
	// 1 when it finds a leak, which is a result, not a failure.
	okCodes []int
	// each is the number of runs per round (1 if 0): the floor is cheap,
	// and the more often it runs the likelier one run finds the machine
	// quiet, as the best of the slower tool's runs does.
	each int
}

// run executes the step once, its output discarded, and returns its cost.
// CPU time comes from the kernel's accounting of each process (its user
// and system time, children included).
func (s step) run() (sample, error) {
	var total sample
	for _, argv := range s.cmds {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		start := time.Now()
		err := cmd.Run()
		total.wall += time.Since(start)
		if cmd.ProcessState == nil {
			return total, fmt.Errorf("%s: %v", s.name, err)
		}
		if code := cmd.ProcessState.ExitCode(); !contains(s.okCodes, code) {
			return total, fmt.Errorf("%s: %v exited with %d", s.name, argv, code)
		}
		total.cpu += cpuTime(cmd.ProcessState)
	}
	return total, nil
}

func contains(codes []int, c int) bool {
	if len(codes) == 0 {
		return c == 0
	}
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

func cpuTime(ps *os.ProcessState) time.Duration {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureAll runs the steps round-robin, runs times each, so that a burst of
// load on the machine falls on every step alike rather than on one.
func measureAll(steps []step, runs int) ([][]sample, error) {
	out := make([][]sample, len(steps))
	for range runs {
		for i, s := range steps {
			for range max(1, s.each) {
				r, err := s.run()
				if err != nil {
					return nil, err
				}
				out[i] = append(out[i], r)
			}
		}
	}
	return out, nil
}
