package capture_test

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
)

// Diff reports the goroutine a function left blocked sending on a channel
// nobody reads.
func ExampleDiff() {
	results := make(chan int)
	leaky := func() {
		go func() { results <- 42 }() // the caller forgot to receive
	}

	rep, err := capture.Diff(context.Background(), leaky)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range rep.Leaks() {
		fmt.Println(g.Label, g.New)
	}

	<-results // release it: the example itself leaks nothing
	// Output: chan-send 1
}

// ByLabel tells apart the goroutines of one stack by a pprof label, and
// IgnoreLabel expects those under another: only the export endpoint's are
// a leak.
func ExampleByLabel() {
	results := make(chan int)
	handle := func(endpoint string, n int) {
		pprof.Do(context.Background(), pprof.Labels("endpoint", endpoint), func(context.Context) {
			for range n {
				go func() { results <- 1 }() // nobody receives
			}
		})
	}

	rep, err := capture.Diff(context.Background(), func() {
		handle("/api/export", 2)
		handle("/api/import", 1)
	}, capture.ByLabel("endpoint"), capture.IgnoreLabel("endpoint", "/api/import"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range rep.Leaks() {
		fmt.Println(g.Split, g.New)
	}

	for range 3 {
		<-results // release them: the example itself leaks nothing
	}
	// Output: endpoint=/api/export 2
}

// Take after Settle shows goroutines where they wait.
func ExampleTake() {
	ch := make(chan int)
	for range 2 {
		go func() { ch <- 1 }()
	}
	if err := capture.Settle(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	s, err := capture.Take()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range s.Groups {
		if len(g.Frames) > 0 && strings.Contains(g.Frames[0].Func, "ExampleTake") {
			fmt.Printf("%d goroutines in %s\n", g.Count, g.State)
		}
	}
	<-ch
	<-ch
	// Output: 2 goroutines in chan send
}

// In a test, VerifyNone fails the test with stackdiff's table when it
// leaves goroutines behind.
func ExampleVerifyNone() {
	test := func(t *testing.T) {
		defer capture.VerifyNone(t)
		// ... the code under test ...
	}
	_ = test
}

// In a package's tests, VerifyTestMain checks once, after all tests:
//
//	func TestMain(m *testing.M) {
//		capture.VerifyTestMain(m, capture.IgnoreTopFunction("example.com/pool.(*Pool).worker"))
//	}
func ExampleVerifyTestMain() {}

// A service watches its goroutine count and logs a diff, with the dump
// kept on disk, when it grows by more than 500.
func ExampleNewMonitor() {
	m := capture.NewMonitor(capture.MonitorConfig{
		Period:      30 * time.Second,
		Threshold:   500,
		MinInterval: 10 * time.Minute,
		Writer:      os.Stderr,
		Dir:         "/var/tmp/goroutines",
	})
	m.Start()
	defer m.Stop()
	// ... serve ...
}

// Fetch reads the goroutines of another process that serves
// net/http/pprof.
func ExampleFetch() {
	snaps, err := capture.Fetch(context.Background(), "http://localhost:6060/debug/pprof/goroutine?debug=2", capture.FetchOptions{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Println(err) // e.g. cannot connect to localhost:6060: connection refused
		return
	}
	fmt.Println(snaps[0].Count(), "goroutines")
}
