package classify_test

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

const stallWords = "process stopped"

// stalled returns the labels of the groups a stopped process made suspects.
func stalled(r *classify.Report) []string {
	var out []string
	for _, g := range r.Groups {
		if slices.ContainsFunc(g.Evidence, func(e string) bool { return strings.HasPrefix(e, stallWords) }) {
			out = append(out, string(g.Label)+":"+string(g.Verdict))
		}
	}
	return out
}

// TestStallAgainstGC reads the runtime's goroutine leak profile with its
// (leaked) marks taken out, as a plain dump of the same moment would be:
// every goroutine the GC proved leaked must be flagged from the dump alone,
// and the group read first must be one of them. With the marks in, the
// GC's proof is used and the rule says nothing.
func TestStallAgainstGC(t *testing.T) {
	b, err := os.ReadFile("../parse/testdata/generated/goroutineleak_debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	leaked := map[int64]bool{}
	for _, m := range regexp.MustCompile(`(?m)^goroutine (\d+) \[[^\]]*\(leaked\)`).FindAllSubmatch(b, -1) {
		id, _ := strconv.ParseInt(string(m[1]), 10, 64)
		leaked[id] = true
	}
	if len(leaked) < 5 {
		t.Fatalf("%d leaked goroutines in the profile, want several", len(leaked))
	}
	marked, err := parse.Read(strings.NewReader(string(b)), "marked")
	if err != nil {
		t.Fatal(err)
	}
	if got := stalled(classify.Compare([]*parse.Snapshot{marked}, nil)); len(got) != 0 {
		t.Errorf("with the GC's marks, stall evidence on %v", got)
	}
	plain, err := parse.Read(strings.NewReader(strings.ReplaceAll(string(b), " (leaked)", "")), "plain")
	if err != nil {
		t.Fatal(err)
	}
	r := classify.Compare([]*parse.Snapshot{plain}, nil)
	for _, g := range r.Groups {
		for _, id := range g.IDs {
			if leaked[id] && g.Verdict == classify.OK {
				t.Errorf("goroutine %d (%s), proven leaked by the GC, is ok", id, g.Label)
			}
		}
	}
	if first := r.Groups[0]; !slices.ContainsFunc(first.IDs, func(id int64) bool { return leaked[id] }) {
		t.Errorf("first group %s %v holds no leaked goroutine", first.Label, first.IDs)
	}
}

// TestStallSamples reads SIGQUIT dumps of real processes: one stopped by a
// leak on a lock, a WaitGroup or a condition, and ones whose goroutines
// wait on the network, a sleep or a ticker, which nothing stops. The
// ticker's receive is told from the source; without it, it is a receive
// like any other and the process looks stopped.
func TestStallSamples(t *testing.T) {
	for name, want := range map[string][]string{
		"mutex-deadlock":       {"mutex-lock:suspect"},
		"waitgroup-no-done":    {"waitgroup:suspect"},
		"cond-no-signal":       {"cond-wait:suspect"},
		"http-body-not-closed": nil,
		"sleep-forever":        nil,
		"ticker-loop-no-exit":  nil,
	} {
		s := readSample(t, name, "sigquit.txt")
		opts := &classify.Options{Sources: []fs.FS{classify.SourceDir("..")}}
		if got := stalled(classify.Compare([]*parse.Snapshot{s}, opts)); !cmp.Equal(got, want) {
			t.Errorf("%s: stall suspects %v, want %v", name, got, want)
		}
	}
}

// TestStallConditions: the rule needs a complete dump with states where
// nothing but the dump's writer runs and nothing waits outside the process.
func TestStallConditions(t *testing.T) {
	running := g{1, "running", []string{"example.com/app.dump app/dump.go:1"}, ""}
	send := g{2, "chan send", []string{"example.com/app.emit app/emit.go:30"}, "example.com/app.start app/start.go:2"}
	lock := g{1, "sync.Mutex.Lock", []string{"sync.(*Mutex).Lock sync/mutex.go:1", "example.com/app.put app/cache.go:10"}, "example.com/app.start app/start.go:3"}
	sleeping := g{1, "sleep", []string{"time.Sleep runtime/time.go:1", "example.com/app.poll app/poll.go:5"}, "example.com/app.start app/start.go:4"}
	parkedMain := g{1, "select (no cases)", []string{"main.main app/main.go:9"}, ""}
	signalLoop := g{1, "syscall", []string{"os/signal.signal_recv runtime/sigqueue.go:152", "os/signal.loop os/signal/signal_unix.go:23"}, "os/signal.Notify.func1.1 os/signal/signal.go:151"}
	httpWriter := g{1, "running", []string{"runtime/pprof.writeGoroutineStacks runtime/pprof/pprof.go:1", "net/http/pprof.handler.ServeHTTP net/http/pprof/pprof.go:2", "net/http.(*conn).serve net/http/server.go:3"}, "net/http.(*Server).Serve net/http/server.go:4"}
	for _, tt := range []struct {
		name  string
		specs []g
		want  []string
	}{
		{"writer and waits", []g{running, send, lock}, []string{"chan-send:suspect", "mutex-lock:suspect"}},
		{"main parked on purpose is not flagged", []g{running, parkedMain, lock}, []string{"mutex-lock:suspect"}},
		{"a sleeper can wake them", []g{running, send, lock, sleeping}, nil},
		{"network waits can wake them", []g{running, send, listening}, nil},
		{"two running", []g{running, running, send}, nil},
		{"nothing waits", []g{running}, nil},
		{"the writer serves HTTP: its server listens", []g{httpWriter, send, lock}, nil},
		{"os/signal waits for a signal from outside", []g{running, send, signalLoop}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// IDs from 1: a whole dump holds goroutine 1.
			r := classify.Compare([]*parse.Snapshot{dump(t, "one", 1, tt.specs...)}, nil)
			got := stalled(r)
			slices.Sort(got)
			if !cmp.Equal(got, tt.want) {
				t.Errorf("stall suspects %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("a paste of a few goroutines, without goroutine 1", func(t *testing.T) {
		if got := stalled(classify.Compare([]*parse.Snapshot{dump(t, "paste", 10, running, send, lock)}, nil)); len(got) != 0 {
			t.Errorf("stall suspects %v in a paste", got)
		}
	})
	t.Run("a diff has a baseline", func(t *testing.T) {
		a := dump(t, "a", 10, running, send)
		b := dump(t, "b", 10, running, send, lock)
		if got := stalled(classify.Compare([]*parse.Snapshot{a, b}, nil)); len(got) != 0 {
			t.Errorf("stall suspects %v in a diff", got)
		}
	})
}

// TestStallAfterPanic: a panic printed with GOTRACEBACK=all lists every
// goroutine, and the one that panicked is the only one running; printed
// with the default, it lists the panicking goroutine alone, which says
// nothing of the others.
func TestStallAfterPanic(t *testing.T) {
	const panicking = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\tapp/main.go:5 +0x10\n\n"
	const waiter = "goroutine 7 [sync.Mutex.Lock]:\nsync.(*Mutex).Lock(...)\n\tsync/mutex.go:46\nexample.com/app.(*Store).put(...)\n\tapp/store.go:14 +0x20\ncreated by example.com/app.run in goroutine 1\n\tapp/run.go:9 +0x30\n\n"
	for _, tc := range []struct {
		name string
		dump string
		want []string
	}{
		{"GOTRACEBACK=all", panicking + waiter, []string{"mutex-lock:suspect"}},
		{"the default: the panicking goroutine alone", panicking, nil},
	} {
		s, err := parse.Read(strings.NewReader(tc.dump), "panic")
		if err != nil {
			t.Fatal(err)
		}
		if s.Event == nil || s.Event.Kind != parse.EventPanic {
			t.Fatalf("%s: event %+v, want a panic", tc.name, s.Event)
		}
		if got := stalled(classify.Compare([]*parse.Snapshot{s}, nil)); !cmp.Equal(got, tc.want) {
			t.Errorf("%s: stall suspects %v, want %v", tc.name, got, tc.want)
		}
	}
}
