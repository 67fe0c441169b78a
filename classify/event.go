package classify

import (
	"fmt"
	"strings"

	"github.com/stackdiff/stackdiff/internal/lineage"
	"github.com/stackdiff/stackdiff/parse"
)

// What a dump's event (see [parse.Event]) proves about its goroutines. It
// is the strongest evidence a single dump can carry: the runtime itself
// found a deadlock, goleak found goroutines left over, go test named the
// tests that hung, the runtime named the goroutine that panicked.
//
//   - deadlock: every blocked goroutine of the dump is blocked forever —
//     all of them for "all goroutines are asleep", those marked (durable)
//     for a testing/synctest bubble. Verdict leak.
//   - goleak: every goroutine listed was left over at the end of a test.
//     Verdict leak.
//   - test timeout: the goroutines running a test named under "running
//     tests:" are where the test hung. Verdict at least suspect; culprit.
//   - panic, fatal error, race, a fault: the goroutine the event names is
//     the culprit, shown first with the message. Its verdict is unchanged:
//     a panic is not a leak.

// eventFacts are what the last snapshot's members say about its event,
// gathered per group while the snapshot is added.
type eventFacts struct {
	named   bool // holds the goroutine the event names
	durable int  // members marked (durable)
}

// noteMember records what one member of the last snapshot says about ev.
func (f *eventFacts) noteMember(ev *parse.Event, m *parse.Member) {
	if ev.Goroutine != 0 && m.ID == ev.Goroutine {
		f.named = true
	}
	if m.Flags&parse.FlagDurable != 0 {
		f.durable++
	}
}

// eventVerdict raises the verdict a group earns from the last snapshot's
// event, and says whether the group is the event's culprit and, for a test
// timeout, which hung test it runs.
func eventVerdict(ev *parse.Event, g *Group, f eventFacts, class Class, raise func(Verdict, string)) (culprit bool, test string) {
	if ev == nil {
		return false, ""
	}
	last := g.Counts[len(g.Counts)-1]
	switch ev.Kind {
	case parse.EventDeadlock:
		switch {
		case f.durable > 0:
			raise(Leak, fmt.Sprintf("durably blocked in a synctest bubble the runtime found deadlocked (%s)", firstLine(ev.Message)))
		case class != Benign && last > 0 && !hasDurableMarks(ev):
			raise(Leak, "the runtime proved a deadlock: "+firstLine(ev.Message))
		}
		// Every blocked goroutine is the story; the one that printed the
		// deadlock is not a culprit.
		return false, ""
	case parse.EventGoleak:
		if last > 0 {
			raise(Leak, "goleak found it left over at the end of the test")
		}
		return false, ""
	case parse.EventTestTimeout:
		if test := runningTest(ev.Tests, g.Frames); test != "" {
			raise(Suspect, fmt.Sprintf("running %s when the %s", test, firstLine(ev.Message)))
			return true, test
		}
		return false, ""
	}
	return f.named, ""
}

// hasDurableMarks reports whether the deadlock is a synctest bubble's,
// where only the (durable) goroutines are proven blocked.
func hasDurableMarks(ev *parse.Event) bool {
	return strings.Contains(ev.Message, "bubble")
}

// runningTest returns the test of tests (as go test lists them, subtests
// as "TestX/sub") whose function, or a closure in it, is in frames, or "".
func runningTest(tests []string, frames []parse.Frame) string {
	for _, t := range tests {
		top, _, _ := strings.Cut(t, "/")
		for _, f := range frames {
			if lineage.Short(f.Func) == top {
				return t
			}
		}
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
