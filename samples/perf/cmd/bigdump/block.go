package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// kind is the way a goroutine blocks; class c blocks with kinds[c%len(kinds)].
type kind int

const (
	chanSend kind = iota
	chanRecv
	selectWait
	mutexLock
	waitGroupWait
	condWait
	sleeping
	nilChanRecv
	selectNoCases
	numKinds
)

// kindNames are the --kinds values, in kind order.
var kindNames = [numKinds]string{
	"send", "recv", "select", "mutex", "waitgroup", "cond", "sleep", "nilchan", "forever",
}

// kinds are the blocking kinds in use (--kinds, all by default). Set once
// before any worker starts.
var kinds []kind

// parseKinds turns --kinds names into kinds.
func parseKinds(names []string) ([]kind, error) {
	var ks []kind
	for _, name := range names {
		i := slices.Index(kindNames[:], name)
		if i < 0 {
			return nil, fmt.Errorf("unknown kind %q (want %s)", name, strings.Join(kindNames[:], ","))
		}
		ks = append(ks, kind(i))
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("--kinds is empty")
	}
	return ks, nil
}

// blockers holds everything the workers block on. It is a package variable
// rather than an argument so that the arguments printed in the dump are the
// class values only (identical within a class).
type blockers struct {
	send, recv chan int
	selA, selB chan int
	mu         sync.Mutex
	wg         sync.WaitGroup
	condMu     sync.Mutex
	cond       *sync.Cond
	released   bool // guarded by condMu

	parked  atomic.Int64 // goroutines about to block (see waitParked)
	senders atomic.Int64 // how many values release must receive
	done    sync.WaitGroup
}

var bl *blockers

// newBlockers returns blockers already holding what the workers wait for: the
// mutex is locked and the WaitGroup is non-zero until release.
func newBlockers() *blockers {
	b := &blockers{
		send: make(chan int),
		recv: make(chan int),
		selA: make(chan int),
		selB: make(chan int),
	}
	b.cond = sync.NewCond(&b.condMu)
	b.mu.Lock()
	b.wg.Add(1)
	return b
}

// block parks the calling goroutine in the way chosen by its class. Every
// kind has its own function so that it shows up as its own frame.
//
//go:noinline
func block(class int) {
	switch kinds[class%len(kinds)] {
	case chanSend:
		blockChanSend()
	case chanRecv:
		blockChanRecv()
	case selectWait:
		blockSelect()
	case mutexLock:
		blockMutex()
	case waitGroupWait:
		blockWaitGroup()
	case condWait:
		blockCond()
	case sleeping:
		blockSleep()
	case nilChanRecv:
		blockNilChan()
	case selectNoCases:
		blockForever()
	}
}

// releasable registers a goroutine that release will wake, then counts it as
// parked. The count is taken just before the blocking operation, so it only
// means "about to block"; waitParked double-checks the dump for runnables.
func releasable() {
	bl.done.Add(1)
	bl.parked.Add(1)
}

//go:noinline
func blockChanSend() {
	bl.senders.Add(1)
	releasable()
	bl.send <- 1
	bl.done.Done()
}

//go:noinline
func blockChanRecv() {
	releasable()
	<-bl.recv
	bl.done.Done()
}

//go:noinline
func blockSelect() {
	releasable()
	select {
	case <-bl.selA:
	case bl.selB <- 1:
	}
	bl.done.Done()
}

//go:noinline
func blockMutex() {
	releasable()
	bl.mu.Lock()
	bl.mu.Unlock()
	bl.done.Done()
}

//go:noinline
func blockWaitGroup() {
	releasable()
	bl.wg.Wait()
	bl.done.Done()
}

//go:noinline
func blockCond() {
	bl.condMu.Lock()
	releasable()
	for !bl.released {
		bl.cond.Wait()
	}
	bl.condMu.Unlock()
	bl.done.Done()
}

// The last three kinds cannot be woken up by design (that is what makes them
// interesting in a dump); they end with the process.

//go:noinline
func blockSleep() {
	bl.parked.Add(1)
	time.Sleep(1000 * time.Hour)
}

//go:noinline
func blockNilChan() {
	var never chan int
	bl.parked.Add(1)
	<-never
}

//go:noinline
func blockForever() {
	bl.parked.Add(1)
	select {}
}

// release wakes every goroutine that can be woken and waits for them to
// return, which proves the blocking operations were real ones.
func (b *blockers) release() {
	for range b.senders.Load() {
		<-b.send
	}
	close(b.recv)
	close(b.selA)
	b.mu.Unlock()
	b.wg.Done()
	b.condMu.Lock()
	b.released = true
	b.cond.Broadcast()
	b.condMu.Unlock()
	b.done.Wait()
}
