package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
)

// stackDump writes n goroutines with IDs from first, all with one stack
// (leaf-first "func file:line" frames) and creator.
func stackDump(first, n int, state string, frames []string, creator string) string {
	var b strings.Builder
	for id := first; id < first+n; id++ {
		fmt.Fprintf(&b, "goroutine %d [%s]:\n", id, state)
		for _, f := range frames {
			fn, loc, _ := strings.Cut(f, " ")
			fmt.Fprintf(&b, "%s(...)\n\t%s +0x1\n", fn, loc)
		}
		fn, loc, _ := strings.Cut(creator, " ")
		fmt.Fprintf(&b, "created by %s in goroutine 1\n\t%s +0x1\n\n", fn, loc)
	}
	return b.String()
}

func snap(t *testing.T, name, text string) *parse.Snapshot {
	t.Helper()
	s, err := parse.Read(strings.NewReader(text), name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHeadlineAddsUp: a leak group holding old goroutines as well as new
// ones must not read "3 new ... 5 look leaked" as if the 5 were among the 3.
func TestHeadlineAddsUp(t *testing.T) {
	send := []string{"example.com/app.emit app/emit.go:30"}
	const creator = "example.com/app.start app/start.go:1"
	before := snap(t, "before", stackDump(1, 2, "chan send", send, creator))
	after := snap(t, "after", stackDump(1, 2, "chan send", send, creator)+stackDump(10, 3, "chan send", send, creator))
	r := classify.Compare([]*parse.Snapshot{before, after}, nil)
	if diff := cmp.Diff(classify.Summary{
		Goroutines: []int{2, 5}, New: 3, Leaked: 5, InLeakGroups: 5, NewInLeakGroups: 3, LeakGroups: 1,
	}, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	want := "3 new goroutines since before (2 → 5 goroutines); 5 goroutines look leaked, in 1 group (3 of them new)"
	if got := report.Headline(r); got != want {
		t.Errorf("headline:\n got %s\nwant %s", got, want)
	}
	// All of the leak group new: "of them" is the new goroutines.
	r = classify.Compare([]*parse.Snapshot{snap(t, "before", stackDump(100, 1, "running", []string{"example.com/app.main app/main.go:1"}, creator)), after}, nil)
	want = "5 new goroutines since before (1 → 5 goroutines); 5 of them look leaked, in 1 group"
	if got := report.Headline(r); got != want {
		t.Errorf("headline:\n got %s\nwant %s", got, want)
	}
	one := snap(t, "one", stackDump(1, 1, "running", []string{"example.com/app.main app/main.go:1"}, creator))
	r = classify.Compare([]*parse.Snapshot{one, one}, nil)
	want = "0 new goroutines since one (1 → 1 goroutine); no leaks"
	if got := report.Headline(r); got != want {
		t.Errorf("headline:\n got %s\nwant %s", got, want)
	}
}

// TestStackShowsTheSite: a stack whose site lies below the --frames cut
// (six library frames of a network read) still shows the site.
func TestStackShowsTheSite(t *testing.T) {
	frames := []string{
		"internal/poll.runtime_pollWait runtime/netpoll.go:351",
		"internal/poll.(*pollDesc).wait internal/poll/fd_poll_runtime.go:84",
		"internal/poll.(*pollDesc).waitRead internal/poll/fd_poll_runtime.go:89",
		"internal/poll.(*FD).Read internal/poll/fd_unix.go:165",
		"net.(*netFD).Read net/fd_posix.go:68",
		"net.(*conn).Read net/net.go:196",
		"bufio.(*Reader).fill bufio/bufio.go:113",
		"bufio.(*Reader).ReadByte bufio/bufio.go:270",
		"example.com/app.(*Peer).readLoop app/peer.go:42",
		"example.com/app.(*Peer).run app/peer.go:20",
	}
	before := snap(t, "before", stackDump(1, 1, "running", []string{"example.com/app.main app/main.go:1"}, "example.com/app.start app/start.go:1"))
	after := snap(t, "after", stackDump(1, 1, "running", []string{"example.com/app.main app/main.go:1"}, "example.com/app.start app/start.go:1")+
		stackDump(5, 2, "IO wait", frames, "example.com/app.dial app/dial.go:9"))
	r := classify.Compare([]*parse.Snapshot{before, after}, nil)
	var b bytes.Buffer
	if err := report.Text(&b, r, report.Options{Frames: 6, FlagHints: true}); err != nil {
		t.Fatal(err)
	}
	_, stack, _ := strings.Cut(b.String(), "fix:")
	_, stack, _ = strings.Cut(stack, "\n")
	want := `      internal/poll.(*pollDesc).wait
      internal/poll.(*pollDesc).waitRead
      internal/poll.(*FD).Read
      net.(*netFD).Read
      net.(*conn).Read
      bufio.(*Reader).fill
      ... 1 more frame
      example.com/app.(*Peer).readLoop
      ... 1 more frame (--frames)
      created by example.com/app.dial
`
	var got strings.Builder
	for _, line := range strings.Split(stack, "\n") {
		if strings.HasPrefix(line, "      ") && !strings.HasPrefix(line, "          ") {
			got.WriteString(line + "\n")
		}
	}
	if diff := cmp.Diff(want, got.String()); diff != "" {
		t.Errorf("stack (-want +got):\n%s\nreport:\n%s", diff, b.String())
	}
}
