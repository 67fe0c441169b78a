// Command leakservice is the Go 1.27 service of TestWatchGCProof: it serves
// net/http/pprof on loopback, prints its URL, and with -leak leaks
// goroutines blocked on channels only they can reach (the GC proves those);
// without it, workers wait on a channel a global holds (alive, not leaked).
// It exits when its standard input closes, or after two minutes.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strings"
	"time"
)

var jobs = make(chan int)

func worker() {
	for range jobs {
	}
}

func leakOne() {
	ch := make(chan int)
	go func() { ch <- 1 }()
}

func main() {
	leak := flag.Bool("leak", false, "leak goroutines on local channels")
	flag.Parse()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	go http.Serve(l, nil)
	for range 3 {
		if *leak {
			leakOne()
		} else {
			go worker()
		}
	}
	// Serve only once the three are parked: on a loaded machine a fetch
	// could otherwise find some still runnable, not yet provably leaked.
	state := "[chan receive"
	if *leak {
		state = "[chan send"
	}
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if strings.Count(string(buf[:runtime.Stack(buf, true)]), state) >= 3 {
			break
		}
	}
	fmt.Printf("http://%s\n", l.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	time.Sleep(2 * time.Minute)
}
