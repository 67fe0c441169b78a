package classify_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// TestNewListenerIsSuspect: a listener's Accept loop is expected, unless it
// is new: an httptest.Server or http.Server started and never closed.
func TestNewListenerIsSuspect(t *testing.T) {
	accept := []string{
		"internal/poll.runtime_pollWait runtime/netpoll.go:351",
		"internal/poll.(*FD).Accept internal/poll/fd_unix.go:613",
		"net.(*netFD).accept net/fd_unix.go:150",
		"net.(*TCPListener).Accept net/tcpsock.go:387",
		"net/http.(*Server).Serve net/http/server.go:3434",
		"net/http/httptest.(*Server).goServe.func1 net/http/httptest/server.go:341",
	}
	server := g{1, "IO wait", accept, "net/http/httptest.(*Server).goServe net/http/httptest/server.go:339"}
	worker := g{1, "chan receive", []string{"example.com/app.worker app/worker.go:1"}, "example.com/app.main app/main.go:1"}
	before := dump(t, "before", 1, worker, server)
	after := dump(t, "after", 1, worker, server, server)
	r := classify.Compare([]*parse.Snapshot{before, after}, nil)
	want := []string{
		"net-listener@net/http/httptest/server.go:341: suspect",
		"chan-receive@app/worker.go:1: ok",
	}
	if diff := cmp.Diff(want, siteVerdicts(r)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	// The same listener, in both dumps of one process, is not a finding.
	r = classify.Compare([]*parse.Snapshot{before, before}, nil)
	for _, g := range r.Groups {
		if g.Verdict != classify.OK {
			t.Errorf("%s: %s %v; an old listener is ok", g.Label, g.Verdict, g.Evidence)
		}
	}
}

func TestGRPCCallbackSerializerIsClientConn(t *testing.T) {
	snap := dump(t, "one", 1, g{1, "select", []string{
		"google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run google.golang.org/grpc/internal/grpcsync/callback_serializer.go:88",
	}, "google.golang.org/grpc/internal/grpcsync.NewCallbackSerializer google.golang.org/grpc/internal/grpcsync/callback_serializer.go:52"})
	r := classify.Compare([]*parse.Snapshot{snap}, nil)
	if got := r.Groups[0].Label; got != classify.GRPCClientConn {
		t.Errorf("label %s, want %s", got, classify.GRPCClientConn)
	}
}
