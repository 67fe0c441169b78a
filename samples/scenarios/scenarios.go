// Package scenarios is a library of real goroutine leaks, each next to its fix.
//
// Every [Scenario] runs real code (channels, net/http against a loopback
// httptest server, database/sql, os/exec, ...) so that the goroutines it
// leaves behind have exactly the stacks the classic bug produces. They exist
// to feed stackdiff: a program takes a goroutine dump, calls Run, takes a
// second dump, and stackdiff should name the leaked group [Scenario.Want].
//
// A leak that cannot be undone is useless in a test suite, so every scenario
// keeps a private handle on what it leaked (the abandoned channel, the unclosed
// response body, the mutex, ...) and the stop func returned by Run uses it to
// release everything. That handle never shows in the leaked goroutine's stack:
// at dump time the goroutine is parked exactly where the bug parks it. Each
// scenario's comment says how its stop gets the goroutines out.
//
// Scenarios are not safe for concurrent use: run one at a time.
package scenarios

import "slices"

// Scenario is one runnable leak pattern (or its fix).
type Scenario struct {
	Name  string // kebab-case, e.g. "unbuffered-send"
	Doc   string // one sentence: what it does
	Leaks bool   // true if the leaky form: goroutines it starts stay blocked after Run returns
	// Want is the label stackdiff should give the leaked group ("chan-send", ...); "" when Leaks is false.
	Want string
	// WantCount is how many goroutines of that label leak (0 when Leaks is false).
	WantCount int
	// Setup, when non-nil, prepares what must already exist when the "before"
	// dump is taken (a server, a database handle, long-lived workers). Call it
	// before Run and call its stop after Run's stop. Run called without Setup
	// prepares the same things itself and its stop tears them down.
	Setup func() (stop func())
	// Run performs the operation (the "between before and after" part). When it
	// returns, the goroutines the scenario leaves behind are already parked in
	// their final state, so a dump taken right after is deterministic. It
	// returns a stop func that releases EVERY goroutine the scenario started
	// (leaked or not), closing servers, so tests can prove with goleak that
	// nothing is left. stop must be called once; it blocks until everything has
	// exited.
	Run func() (stop func())
}

// All lists every scenario, in a stable order; names are unique.
var All = []Scenario{
	blockedForever(),
	unbufferedSend(),
	bufferedSend(),
	contextSend(),
	httpBodyNotClosed(),
	httpBodyClosed(),
	timerNotStopped(),
	timerStopped(),
	timerStoppedThenReceived(),
	tickerLoopNoExit(),
	contextWorkers(),
	producerConsumerLeak(),
	producerConsumer(),
	sleepForever(),
	selectNoCtx(),
	mutexDeadlock(),
	waitGroupNoDone(),
	condNoSignal(),
	contextNeverCancelled(),
	transportPerRequest(),
	httpHandlerBlocked(),
	http2BodyNotClosed(),
	execNotWaited(),
	pipeAbandoned(),
	errgroupEarlyReturn(),
	goroutineLexer(),
	sqlRowsNotClosed(),
	poolDrains(),
	longLivedWorkers(),
	gatewayUpstreamHung(),
	httpHandlerSpawns(),
	httpTimeoutHandlerHung(),
}

// Lookup returns the scenario called name.
func Lookup(name string) (Scenario, bool) {
	i := slices.IndexFunc(All, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		return Scenario{}, false
	}
	return All[i], true
}
