package classify

import (
	"fmt"
	"maps"
	"math"
	"strconv"
)

// One dump alone has no baseline: nothing is "new". What it still tells is
// how goroutines wait, how many wait at one place, and for how long. Every
// group gets a suspicion score from three things, and a single dump's
// groups are sorted by verdict, then by it, so that the first screen shows
// the groups most worth reading even when none is flagged:
//
//   - the kind of wait: some are abnormal at any length (a goroutine
//     parked on a mutex, on a send nobody receives, on a response body
//     nobody closes), others are what idle workers and servers do (a
//     channel receive, a select, a network read);
//   - the crowd: goroutines blocked at one site, summed over the groups
//     that block at the same file:line from different callers (the signal
//     Uber's LeakProf uses in production);
//   - the wait: minutes blocked, against the kind's threshold.
//
// Each kind of wait has a threshold of minutes from which it is a suspect
// (none for waits that can last the life of the process) and a crowd size
// from which it is. Options.WaitThreshold and Options.CrowdThreshold, when
// set, apply to every kind instead.

// Wait says how a kind of wait is judged in a dump without a baseline.
type Wait struct {
	// Weight is how unusual one goroutine in this wait is, whatever its
	// length: the suspicion it starts from (0 for benign labels).
	Weight int
	// SuspectAfter is the wait, in minutes, from which a group is a
	// suspect; 0 means no time threshold (a worker can wait for days).
	SuspectAfter int
	// Crowd is the number of goroutines blocked at one site from which
	// they are suspects.
	Crowd int
	// Why is the manual's one-line reason for the threshold.
	Why string
}

// Suspicion weights of the kinds of wait.
const (
	weightNeverEnds = 40 // can never end (nil channel, empty select outside main)
	weightAbnormal  = 30 // abnormal at any length
	weightLong      = 20 // abnormal when long
	weightIdle      = 10 // what idle workers and servers do
	weightCompanion = 5  // follows another group (a connection's other loop, the server side)
)

// Crowd thresholds.
const (
	crowdAbnormal = 100
	crowdIdle     = 1000
)

// DefaultWaits returns a copy of the suspicion weight and thresholds of
// every built-in label. Benign labels (running, syscall, system, the test
// runner) have none.
func DefaultWaits() map[Label]Wait { return maps.Clone(waits) }

// siteKey is the place a group blocks at, for crowds: the site's file and
// line (its function when the dump gives no line).
func siteKey(g *Group) string {
	if g.Site == nil {
		return "group " + g.Key
	}
	if g.Site.File == "" {
		return g.Site.Func
	}
	return g.Site.File + ":" + strconv.Itoa(g.Site.Line)
}

// countSites sums the last snapshot's goroutines per blocking site, over
// the groups that are not benign.
func (c *comparer) countSites() {
	c.sites = map[string]int{}
	for _, e := range c.order {
		g := e.g
		if g.Class == Benign {
			continue
		}
		c.sites[siteKey(g)] += g.Counts[c.n-1]
	}
}

// A crowd is also relative: in a small program, or a dump where one site
// holds a large share of all goroutines, tens of goroutines parked on one
// lock, one send or one WaitGroup are the finding, though far below the
// crowd size that makes a suspect in a big service. Only the primitive
// synchronisation waits count this way: a pool of idle workers or
// connections is a large share of many healthy dumps.
const (
	shareCrowdMin = 10 // goroutines at one site, at least
	shareCrowdPct = 10 // percent of the dump's goroutines, at least
)

var shareCrowdLabels = map[Label]bool{
	MutexLock: true, ChanSend: true, WaitGroup: true,
	NilChan: true, SelectNoCases: true, IOPipe: true,
}

// mainParks lists the waits with which main parks itself or waits for
// what it started (wg.Wait() over its servers, <-done, select {}).
var mainParks = map[Label]bool{
	NilChan: true, SelectNoCases: true, WaitGroup: true, ChanReceive: true, Select: true,
	CondWait: true, ContextNeverCancelled: true,
}

// mainWaits reports whether the group is main parked or waiting for what
// it started.
func mainWaits(g *Group) bool { return mainParks[g.Label] && inMain(g) }

// longIsAbnormal reports whether the group blocked for long is a finding
// by itself: the kinds with a time threshold, main's own waits excepted.
func longIsAbnormal(g *Group) bool {
	if mainWaits(g) {
		return false
	}
	w, ok := waits[g.Label]
	if !ok {
		w = waits[Other]
	}
	return w.SuspectAfter > 0
}

// waitWeight is the weight of a group's kind of wait, 0 for benign ones.
func waitWeight(g *Group) int {
	if g.Class == Benign {
		return 0
	}
	if w, ok := waits[g.Label]; ok {
		return w.Weight
	}
	return waits[Other].Weight
}

// waitRule is the group's Wait with the options' overrides applied.
func (c *comparer) waitRule(g *Group) Wait {
	w := waits[g.Label]
	if g.Class == Benign {
		return Wait{}
	}
	if w.Weight == 0 { // a label added without an entry in waits
		w = waits[Other]
	}
	if c.opts.WaitThreshold > 0 {
		w.SuspectAfter = c.opts.WaitThreshold
	}
	if c.opts.CrowdThreshold > 0 {
		w.Crowd = c.opts.CrowdThreshold
	}
	if mainWaits(g) {
		// main parking itself on purpose, or waiting for the servers and
		// workers it started: the program's life, not a stuck request.
		w.Weight, w.SuspectAfter = weightCompanion, 0
	}
	return w
}

// judgeWait raises a group to suspect for a wait longer than its kind's
// threshold, or for a crowd at its site (hook of judge).
func (c *comparer) judgeWait(g *Group, raise func(Verdict, string)) {
	w := c.waitRule(g)
	if w.Weight == 0 || g.Counts[c.n-1] == 0 {
		return
	}
	if w.SuspectAfter > 0 && g.WaitMinutes[1] >= w.SuspectAfter {
		if c.opts.WaitThreshold > 0 {
			raise(Suspect, fmt.Sprintf("blocked for %d minutes", g.WaitMinutes[1]))
		} else {
			raise(Suspect, fmt.Sprintf("blocked for %d minutes (%s is suspect from %d)", g.WaitMinutes[1], g.Label, w.SuspectAfter))
		}
	}
	n := c.sites[siteKey(g)]
	share := c.opts.CrowdThreshold == 0 && shareCrowdLabels[g.Label] && n >= shareCrowdMin && n*100 >= shareCrowdPct*c.total
	if n >= w.Crowd || share {
		what := fmt.Sprintf("%d goroutines blocked at one site", n)
		if share && n < w.Crowd {
			what = fmt.Sprintf("%d of the dump's %d goroutines (%d%%) blocked at one site", n, c.total, n*100/c.total)
		}
		if last := g.Counts[c.n-1]; last != n {
			what += fmt.Sprintf(" (%d of them in this group)", last)
		}
		raise(Suspect, what)
	}
}

// suspicion scores a group for ranking: the kind's weight, plus up to 40
// for the crowd at its site (10 per doubling), plus up to 30 for its wait
// against the kind's threshold (up to 15 for kinds without one). Benign
// and ignored groups score 0.
func (c *comparer) suspicion(g *Group) int {
	w := c.waitRule(g)
	if w.Weight == 0 || g.Counts[c.n-1] == 0 || g.Ignored != "" {
		return 0 // nothing to read first: benign, gone, or ignored on purpose
	}
	score := float64(w.Weight)
	if n := c.sites[siteKey(g)]; n > 1 {
		score += min(40, 10*math.Log2(float64(n)))
	}
	if m := g.WaitMinutes[1]; m > 0 {
		if w.SuspectAfter > 0 {
			score += 30 * min(1, float64(m)/float64(w.SuspectAfter))
		} else {
			score += min(15, 3*math.Log2(1+float64(m)))
		}
	}
	return int(math.Round(score))
}
