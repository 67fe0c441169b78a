package classify

import (
	"regexp"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// pprof's debug=1 format prints no wait states, and since Go 1.x hides the
// runtime frames at the leaf of every stack (runtime.gopark,
// runtime.selectgo, runtime.chanrecv ...); older runtimes printed them and
// inferState reads them. When they are hidden, what is left is the frame
// that called into the runtime:
//
//   - a stack with no netpoll frame (internal/poll.runtime_pollWait) is
//     not waiting for the network, whatever its function: an HTTP read
//     loop at the leaf is parked in its select (a body nobody closed), not
//     idle on the connection;
//   - the source line of the leaf frame, when it can be read, says which
//     wait it is: "ch <- v", "<-ch", "select {", "mu.Lock()", "wg.Wait()",
//     "time.Sleep(d)".

// inferHidden guesses the wait of a stack whose runtime frames are hidden,
// from its leaf frame's source line; "" when it cannot tell.
func (c *comparer) inferHidden(frames []parse.Frame) string {
	if len(frames) == 0 || isRuntime(frames[0].Func) || c.src == nil {
		return ""
	}
	top := frames[0]
	line, ok := c.src.lines(top.File).line(top.Line)
	if !ok {
		return ""
	}
	return waitOfLine(line)
}

var (
	reSelectLine = regexp.MustCompile(`^\s*select\s*\{`)
	reRangeLine  = regexp.MustCompile(`\brange\b`)
	reSleepLine  = regexp.MustCompile(`\btime\.Sleep\(`)
	reLockLine   = regexp.MustCompile(`\.(R?Lock)\(\)`)
	reWaitLine   = regexp.MustCompile(`\.Wait\(\)`)
)

// waitOfLine names the wait a Go source line blocks in, as a wait state.
func waitOfLine(line string) string {
	code, _, _ := strings.Cut(line, "//")
	switch {
	case reSelectLine.MatchString(code):
		if strings.Contains(code, "select {}") {
			return "select (no cases)"
		}
		return "select"
	case reSleepLine.MatchString(code):
		return "sleep"
	case strings.Contains(code, "<-"):
		if isSend(code) {
			return "chan send"
		}
		return "chan receive"
	case reRangeLine.MatchString(code):
		return "chan receive"
	case reLockLine.MatchString(code):
		if reLockLine.FindStringSubmatch(code)[1] == "RLock" {
			return "sync.RWMutex.RLock"
		}
		return "sync.Mutex.Lock"
	case reWaitLine.MatchString(code):
		return "sync.WaitGroup.Wait"
	}
	return ""
}

// isSend reports whether the first "<-" of a line is a send ("ch <- v",
// "case out <- v:") rather than a receive ("v := <-ch", "case <-done:",
// "return <-ch", "f(<-ch)").
func isSend(code string) bool {
	before := strings.TrimSpace(code[:strings.Index(code, "<-")])
	if before == "" {
		return false
	}
	for _, end := range []string{"=", "(", ",", ":", "{", "&", "|", "!", "+", "-", "*", "/", "<", ">"} {
		if strings.HasSuffix(before, end) {
			return false
		}
	}
	fields := strings.Fields(before)
	switch fields[len(fields)-1] {
	case "return", "case", "go", "defer", "if", "switch", "for", "range":
		return false
	}
	return true
}

// readLoopParked matches an HTTP/1 read loop at the leaf with its runtime
// frames hidden and no netpoll frame: parked in its select, not reading.
func readLoopParked(s *Stack) bool {
	return s.State == "" && len(s.Frames) > 0 && s.Frames[0].Func == "net/http.(*persistConn).readLoop"
}
