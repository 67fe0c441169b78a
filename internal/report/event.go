package report

import (
	"fmt"
	"strings"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/safetext"
	"github.com/stackdiff/stackdiff/parse"
)

// EventLines are the event of a dump in the runtime's own words, as it
// printed them: "panic: send on closed channel", "fatal error: all
// goroutines are asleep - deadlock!", "SIGQUIT: quit". Reports open with
// them, before anything stackdiff concluded.
func EventLines(ev *parse.Event) []string {
	if ev == nil {
		return nil
	}
	lines := strings.Split(ev.Message, "\n")
	switch ev.Kind {
	case parse.EventPanic, parse.EventTestTimeout:
		lines[0] = "panic: " + lines[0]
	case parse.EventFatal:
		lines[0] = "fatal error: " + lines[0]
	case parse.EventDeadlock:
		// The runtime's deadlocks are fatal errors; synctest's are panics
		// whose value starts with "deadlock: ".
		if strings.HasPrefix(lines[0], "deadlock: ") {
			lines[0] = "panic: " + lines[0]
		} else {
			lines[0] = "fatal error: " + lines[0]
		}
	case parse.EventRace:
		lines[0] = "WARNING: " + lines[0]
	case parse.EventGoleak:
		lines[0] = "goleak: " + lines[0]
	}
	if len(ev.Tests) > 0 {
		lines = append(lines, "running tests: "+strings.Join(ev.Tests, ", "))
	}
	return lines
}

// culpritRole says what the culprit of an event did, in a few words.
func culpritRole(ev *parse.Event, g *classify.Group) string {
	id := ev.Goroutine
	switch ev.Kind {
	case parse.EventTestTimeout:
		return fmt.Sprintf("%s hung (goroutine %s)", g.HungTest, idList(g.IDs))
	case parse.EventPanic:
		return fmt.Sprintf("goroutine %d panicked", id)
	case parse.EventFatal:
		return fmt.Sprintf("goroutine %d threw the fatal error", id)
	case parse.EventRace:
		return fmt.Sprintf("goroutine %d made the racing access", id)
	case parse.EventSignal:
		return fmt.Sprintf("goroutine %d received the signal", id)
	}
	return fmt.Sprintf("goroutine %d is the one the event names", id)
}

func idList(ids []int64) string {
	if len(ids) == 0 {
		return "?"
	}
	s := make([]string, 0, 3)
	for _, id := range ids[:min(len(ids), 3)] {
		s = append(s, fmt.Sprint(id))
	}
	if len(ids) > 3 {
		s = append(s, "…")
	}
	return strings.Join(s, ", ")
}

// culpritFrames is how many frames a culprit shows at least: its stack is
// the story of the crash.
const culpritFrames = 12

// culprits prints the groups the last input's event names, first, with
// their stacks.
func (p *printer) culprits(r *classify.Report, c Options) {
	if len(r.Inputs) == 0 {
		return
	}
	ev := r.Inputs[len(r.Inputs)-1].Event
	if ev == nil {
		return
	}
	hung := map[string]bool{}
	for _, g := range r.Groups {
		if !g.Culprit {
			continue
		}
		top, _, _ := strings.Cut(g.HungTest, "/")
		hung[top] = true
		where := stateText(g)
		if g.Site != nil {
			where += " at " + FrameText(g.Site)
		}
		fmt.Fprintf(p.w, "\n%s: %s\n", p.paint("1", culpritRole(ev, g)), where)
		c.Frames = max(c.Frames, culpritFrames)
		p.frames(g, c)
	}
	if ev.Kind == parse.EventTestTimeout {
		// A test the runtime names but no goroutine of the dump runs: the
		// dump was cut before it, or the test's goroutine had just ended.
		for _, name := range ev.Tests {
			if top, _, _ := strings.Cut(name, "/"); !hung[top] { // subtests go by their test
				fmt.Fprintf(p.w, "\n%s: no goroutine of the dump runs it (is the dump cut off?)\n", p.paint("1", safetext.String(name)+" was running"))
			}
		}
	}
}
