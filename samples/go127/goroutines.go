package main

import (
	"context"
	"runtime/pprof"
	"strings"
	"sync"
	"time"
)

// labelSets are the label shapes of the dumps: every rule of the runtime's
// quoting (goroutineheader in runtime/traceback.go) is exercised once.
var labelSets = []pprof.LabelSet{
	pprof.Labels("endpoint", "/api/export", "tenant", "acme"),
	pprof.Labels("endpoint", "/api/import", "tenant", "acme"),
	pprof.Labels("k 1", "v with spaces", "req", "r0", "z", "}{:,\"\n"),
	pprof.Labels("ünï", "ç", "emoji", "\U0001F600", "tab", "a\tb"),
	pprof.Labels("ctl", "\x1b[31mred\x00", "url", "https://user:secret@example.com/x"),
	pprof.Labels("long", strings.Repeat("0123456789", 30)),
	pprof.Labels("empty", ""),
}

// start runs the dump's goroutines and returns when all are parked.
// Leaked ones block on channels nothing else holds: the leak profile's GC
// proves them. The others block on channels kept in held.
func start() {
	var ready sync.WaitGroup
	for i, set := range labelSets {
		ctx := pprof.WithLabels(context.Background(), set)
		ready.Add(2)
		pprof.Do(ctx, set, func(context.Context) {
			go leakSend(&ready, i)
			go waitHeld(&ready, held)
		})
	}
	// Three goroutines with one label set and one stack: one group.
	exportCtx := pprof.WithLabels(context.Background(), labelSets[0])
	for range 3 {
		ready.Add(1)
		pprof.SetGoroutineLabels(exportCtx)
		go leakReceive(&ready)
	}
	pprof.SetGoroutineLabels(context.Background())
	ready.Add(1)
	go lockForever(&ready) // no labels
	ready.Wait()
	time.Sleep(50 * time.Millisecond) // let the last ones park
}

var (
	held = make(chan int)
	mu   sync.Mutex
)

func leakSend(ready *sync.WaitGroup, v int) {
	ch := make(chan int)
	ready.Done()
	ch <- v
}

func leakReceive(ready *sync.WaitGroup) {
	ch := make(chan int)
	ready.Done()
	<-ch
}

func waitHeld(ready *sync.WaitGroup, ch chan int) {
	ready.Done()
	<-ch
}

func lockForever(ready *sync.WaitGroup) {
	mu.Lock()
	ready.Done()
	mu.Lock()
}
