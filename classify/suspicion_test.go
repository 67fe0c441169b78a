package classify_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// g is a goroutine spec for dump: n goroutines in state, with leaf-first
// "func file:line" frames and a creator.
type g struct {
	n       int
	state   string
	frames  []string
	creator string
}

// dump writes specs as a runtime.Stack dump, IDs counting from first.
func dump(t *testing.T, name string, first int, specs ...g) *parse.Snapshot {
	t.Helper()
	var b strings.Builder
	id := first
	for _, s := range specs {
		for range s.n {
			fmt.Fprintf(&b, "goroutine %d [%s]:\n", id, s.state)
			id++
			for _, f := range s.frames {
				fn, loc, _ := strings.Cut(f, " ")
				fmt.Fprintf(&b, "%s(...)\n\t%s +0x1\n", fn, loc)
			}
			if s.creator != "" {
				fn, loc, _ := strings.Cut(s.creator, " ")
				// No "in goroutine N": goroutine 1 is not in these dumps, and a
				// missing parent means something of its own (orphan.go).
				fmt.Fprintf(&b, "created by %s\n\t%s +0x1\n", fn, loc)
			}
			b.WriteString("\n")
		}
	}
	snap, err := parse.Read(strings.NewReader(b.String()), name)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// listening is a goroutine accepting connections, in dumps whose other
// goroutines must not make a stopped process (stalled.go).
var listening = g{1, "IO wait", []string{"internal/poll.runtime_pollWait runtime/netpoll.go:1", "internal/poll.(*FD).Accept internal/poll/fd_unix.go:1", "net.(*TCPListener).Accept net/tcpsock.go:1", "example.com/app.listen app/listen.go:70"}, "example.com/app.start app/start.go:6"}

// siteVerdicts returns "label@site: verdict" for every group, in report order.
func siteVerdicts(r *classify.Report) []string {
	var out []string
	for _, g := range r.Groups {
		site := "-"
		if g.Site != nil {
			site = fmt.Sprintf("%s:%d", g.Site.File, g.Site.Line)
		}
		out = append(out, fmt.Sprintf("%s@%s: %s", g.Label, site, g.Verdict))
	}
	return out
}

func TestWaitThresholdsPerKind(t *testing.T) {
	snap := dump(t, "one", 10,
		g{1, "sync.Mutex.Lock, 9 minutes", []string{"sync.(*Mutex).Lock sync/mutex.go:1", "example.com/app.(*Cache).put app/cache.go:10"}, "example.com/app.serve app/serve.go:1"},
		g{1, "chan receive, 12000 minutes", []string{"example.com/app.worker app/worker.go:20"}, "example.com/app.start app/start.go:1"},
		g{1, "chan send, 4 minutes", []string{"example.com/app.emit app/emit.go:30"}, "example.com/app.start app/start.go:2"},
		g{1, "chan send, 5 minutes", []string{"example.com/app.emit2 app/emit.go:40"}, "example.com/app.start app/start.go:3"},
		g{1, "sync.WaitGroup.Wait, 9 minutes", []string{"sync.(*WaitGroup).Wait sync/waitgroup.go:1", "example.com/app.gather app/gather.go:50"}, "example.com/app.start app/start.go:4"},
		g{1, "select, 600 minutes", []string{"example.com/app.loop app/loop.go:60"}, "example.com/app.start app/start.go:5"},
		listening, // a process that waits on the network has not stopped (stalled.go)
	)
	tests := []struct {
		name string
		opts classify.Options
		want []string
	}{
		{
			name: "per kind",
			want: []string{
				"chan-send@app/emit.go:40: suspect",   // 5 minutes ≥ 5
				"mutex-lock@app/cache.go:10: suspect", // 9 minutes ≥ 1
				"chan-send@app/emit.go:30: ok",        // 4 < 5
				"waitgroup@app/gather.go:50: ok",      // 9 < 10
				"chan-receive@app/worker.go:20: ok",   // a worker may wait for days
				"select@app/loop.go:60: ok",
				"net-listener@app/listen.go:70: ok",
			},
		},
		{
			name: "--wait-threshold applies to all",
			opts: classify.Options{WaitThreshold: 5},
			want: []string{
				"chan-send@app/emit.go:40: suspect",
				"mutex-lock@app/cache.go:10: suspect",
				"waitgroup@app/gather.go:50: suspect",
				"chan-receive@app/worker.go:20: suspect",
				"select@app/loop.go:60: suspect",
				"chan-send@app/emit.go:30: ok",
				"net-listener@app/listen.go:70: ok",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := classify.Compare([]*parse.Snapshot{snap}, &tt.opts)
			if diff := cmp.Diff(tt.want, siteVerdicts(r)); diff != "" {
				t.Errorf("verdicts, in report order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCrowdAtOneSite(t *testing.T) {
	netRead := []string{
		"internal/poll.runtime_pollWait runtime/netpoll.go:351", "internal/poll.(*FD).Read internal/poll/fd_unix.go:165",
		"net.(*conn).Read net/net.go:196", "crypto/tls.(*Conn).readRecordOrCCS crypto/tls/conn.go:624",
		"crypto/tls.(*Conn).clientHandshake crypto/tls/handshake_client.go:300",
		"crypto/tls.(*Conn).HandshakeContext crypto/tls/conn.go:1500",
		"example.com/agent.(*Client).dial example.com/agent/client.go:88",
	}
	snap := dump(t, "one", 10,
		// One site, two callers: 60 + 50 waiters on one mutex line.
		g{60, "sync.Mutex.Lock", []string{"sync.(*Mutex).Lock sync/mutex.go:1", "example.com/app.(*Store).get app/store.go:10", "example.com/app.handleA app/a.go:1"}, "example.com/app.serve app/serve.go:1"},
		g{50, "sync.Mutex.Lock", []string{"sync.(*Mutex).Lock sync/mutex.go:1", "example.com/app.(*Store).get app/store.go:10", "example.com/app.handleB app/b.go:1"}, "example.com/app.serve app/serve.go:1"},
		// 1,638 goroutines in one TLS handshake read.
		g{1638, "IO wait", netRead, "example.com/agent.(*Client).connect example.com/agent/client.go:40"},
		// 999 idle workers: below the crowd of an idle wait.
		g{999, "chan receive", []string{"example.com/app.worker app/worker.go:20"}, "example.com/app.start app/start.go:1"},
		g{1, "chan send", []string{"example.com/app.emit app/emit.go:30"}, "example.com/app.start app/start.go:2"},
	)
	r := classify.Compare([]*parse.Snapshot{snap}, nil)
	want := []string{
		"mutex-lock@app/store.go:10: suspect", // a crowd on a lock ranks above one on the network
		"mutex-lock@app/store.go:10: suspect",
		"io-wait-net@example.com/agent/client.go:88: suspect",
		"chan-receive@app/worker.go:20: ok",
		"chan-send@app/emit.go:30: ok",
	}
	if diff := cmp.Diff(want, siteVerdicts(r)); diff != "" {
		t.Errorf("verdicts, in report order (-want +got):\n%s", diff)
	}
	if ev := r.Groups[1].Evidence; len(ev) != 1 || !strings.Contains(ev[0], "110 goroutines blocked at one site (50 of them in this group)") {
		t.Errorf("evidence of the smaller mutex group = %q, want the site's total", ev)
	}
}

// TestRankingWithoutFlags: with nothing flagged, a single dump is still
// sorted by suspicion: abnormal waits and crowds first, runtime goroutines
// last.
func TestRankingWithoutFlags(t *testing.T) {
	snap := dump(t, "one", 10,
		g{1, "GC sweep wait", []string{"runtime.bgsweep runtime/mgcsweep.go:279"}, "runtime.gcenable runtime/mgc.go:214"},
		g{2, "chan receive", []string{"example.com/app.worker app/worker.go:20"}, "example.com/app.start app/start.go:1"},
		g{1, "IO wait", []string{"internal/poll.runtime_pollWait runtime/netpoll.go:351", "net.(*conn).Read net/net.go:196", "example.com/app.readPeer app/peer.go:9"}, "example.com/app.start app/start.go:3"},
		g{1, "chan send", []string{"example.com/app.emit app/emit.go:30"}, "example.com/app.start app/start.go:2"},
		g{12, "sleep", []string{"time.Sleep runtime/time.go:1", "example.com/app.poll app/poll.go:5"}, "example.com/app.start app/start.go:4"},
		g{2, "running", []string{"example.com/app.spin app/spin.go:1"}, "example.com/app.start app/start.go:5"},
	)
	r := classify.Compare([]*parse.Snapshot{snap}, nil)
	want := []string{
		"sleep@app/poll.go:5: ok",      // 12 at one site
		"chan-send@app/emit.go:30: ok", // abnormal at any length
		"chan-receive@app/worker.go:20: ok",
		"io-wait-net@app/peer.go:9: ok",
		"running@app/spin.go:1: ok", // benign: last, larger first
		"system@runtime/mgcsweep.go:279: ok",
	}
	if diff := cmp.Diff(want, siteVerdicts(r)); diff != "" {
		t.Errorf("ranking (-want +got):\n%s", diff)
	}
	for _, g := range r.Groups {
		if (g.Label == classify.System || g.Label == classify.Running) != (g.Suspicion == 0) {
			t.Errorf("%s: suspicion %d; only benign groups score 0", g.Label, g.Suspicion)
		}
	}
}
