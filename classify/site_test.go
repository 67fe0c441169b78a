package classify_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// frames builds a leaf-first stack from "func file:line" strings.
func frames(specs ...string) []parse.Frame {
	var out []parse.Frame
	for _, s := range specs {
		fn, loc, _ := strings.Cut(s, " ")
		file, line, _ := strings.Cut(loc, ":")
		n := 0
		for _, r := range line {
			n = n*10 + int(r-'0')
		}
		out = append(out, parse.Frame{Func: fn, File: file, Line: n})
	}
	return out
}

func TestSiteSkipsWrappers(t *testing.T) {
	tests := []struct {
		name   string
		frames []parse.Frame
		want   string // Func of the site
	}{
		{
			name: "lock wrapper type: the caller is the site",
			frames: frames(
				"runtime.gopark runtime/proc.go:1", "sync.runtime_SemacquireMutex runtime/sema.go:2",
				"internal/sync.(*Mutex).lockSlow internal/sync/mutex.go:3", "internal/sync.(*Mutex).Lock internal/sync/mutex.go:4",
				"sync.(*Mutex).Lock sync/mutex.go:5",
				"github.com/cockroachdb/cockroach/pkg/util/syncutil.(*TimedMutex).Lock pkg/util/syncutil/timedmutex.go:6",
				"github.com/cockroachdb/cockroach/pkg/kv.(*Store).send pkg/kv/store.go:7",
				"github.com/cockroachdb/cockroach/pkg/kv.(*Store).Send pkg/kv/store.go:8"),
			want: "github.com/cockroachdb/cockroach/pkg/kv.(*Store).send",
		},
		{
			name: "nested wrappers (RLock of a wrapper of a wrapper)",
			frames: frames(
				"sync.(*RWMutex).RLock sync/rwmutex.go:1",
				"example.com/lockutil.(*Mu).RLock lockutil/mu.go:2",
				"example.com/deadlock.(*RWMutex).RLock deadlock/rw.go:3",
				"example.com/app.(*Cache).Get app/cache.go:4"),
			want: "example.com/app.(*Cache).Get",
		},
		{
			// As go-deadlock's RWMutex prints in a real deadlock: its Unlock
			// calls helpers of its own that take a bookkeeping lock.
			name: "a deadlock detector's Unlock and its helpers: the caller is the site",
			frames: frames(
				"sync.runtime_SemacquireMutex runtime/sema.go:71",
				"sync.(*Mutex).lockSlow sync/mutex.go:138", "sync.(*Mutex).Lock sync/mutex.go:81",
				"github.com/sasha-s/go-deadlock.(*lockOrder).postUnlock github.com/sasha-s/go-deadlock@v0.2.1/deadlock.go:332",
				"github.com/sasha-s/go-deadlock.postUnlock github.com/sasha-s/go-deadlock@v0.2.1/deadlock.go:169",
				"github.com/sasha-s/go-deadlock.(*RWMutex).Unlock github.com/sasha-s/go-deadlock@v0.2.1/deadlock.go:131",
				"example.com/core/lib.(*Peer).MaybeDequeue core/lib/peer.go:161",
				"example.com/core/lib.(*Peer).StartProcessor core/lib/peer.go:418"),
			want: "example.com/core/lib.(*Peer).MaybeDequeue",
		},
		{
			name: "an unexported lock helper of the caller's own package",
			frames: frames(
				"sync.(*Mutex).Lock sync/mutex.go:1",
				"example.com/app.(*lockedMap).lock app/map.go:2",
				"example.com/app.(*lockedMap).Get app/map.go:3",
				"example.com/app.serve app/serve.go:4"),
			want: "example.com/app.(*lockedMap).Get",
		},
		{
			name: "a helper that is not a lock method stays the site",
			frames: frames(
				"sync.(*Mutex).Lock sync/mutex.go:1",
				"example.com/app.(*Store).flush app/store.go:2",
				"example.com/app.(*Store).Close app/store.go:3"),
			want: "example.com/app.(*Store).flush",
		},
		{
			name: "a Lock method that does more than forward is the site",
			frames: frames(
				"sync.(*WaitGroup).Wait sync/waitgroup.go:1",
				"example.com/app.(*Barrier).Lock app/barrier.go:2",
				"example.com/app.run app/run.go:3"),
			want: "example.com/app.(*Barrier).Lock",
		},
		{
			name: "a wrapper with no caller outside the standard library stays the site",
			frames: frames(
				"sync.(*Mutex).Lock sync/mutex.go:1",
				"example.com/lockutil.(*Mu).Lock lockutil/mu.go:2",
				"net/http.HandlerFunc.ServeHTTP net/http/server.go:3"),
			want: "example.com/lockutil.(*Mu).Lock",
		},
		{
			name: "go statement wrapper at the root is not the site",
			frames: frames(
				"runtime.gopark runtime/proc.go:1", "runtime.selectgo runtime/select.go:2",
				"net/http.(*persistConn).readLoop net/http/transport.go:2450",
				"net/http.(*Transport).dialConn.gowrap2 net/http/transport.go:1994",
				"runtime.goexit runtime/asm_amd64.s:1771"),
			want: "net/http.(*persistConn).readLoop",
		},
		{
			name: "main's go wrapper around a library call",
			frames: frames(
				"net/http.ListenAndServe net/http/server.go:1",
				"main.main.gowrap1 main.go:9"),
			want: "net/http.ListenAndServe",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify.Site(tt.frames)
			if got == nil {
				t.Fatal("no site")
			}
			if diff := cmp.Diff(tt.want, got.Func); diff != "" {
				t.Errorf("Site (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGoWrapperDoesNotSplitGroups reads one process's goroutine as a
// SIGQUIT traceback prints it (with the gowrap frame) and as runtime.Stack
// prints it (without): one group, not two.
func TestGoWrapperDoesNotSplitGroups(t *testing.T) {
	sigquit := "goroutine 36 gp=0x1 m=nil [select]:\n" +
		"runtime.gopark(0x1?)\n\truntime/proc.go:462 +0xce fp=0x1 sp=0x1 pc=0x1\n" +
		"runtime.selectgo(0x1)\n\truntime/select.go:351 +0xaa5 fp=0x1 sp=0x1 pc=0x1\n" +
		"net/http.(*persistConn).readLoop(0x1)\n\tnet/http/transport.go:2450 +0xc05 fp=0x1 sp=0x1 pc=0x1\n" +
		"net/http.(*Transport).dialConn.gowrap2()\n\tnet/http/transport.go:1994 +0x17 fp=0x1 sp=0x1 pc=0x1\n" +
		"runtime.goexit({})\n\truntime/asm_amd64.s:1771 +0x1 fp=0x1 sp=0x1 pc=0x1\n" +
		"created by net/http.(*Transport).dialConn in goroutine 35\n\tnet/http/transport.go:1994 +0x16ac\n"
	debug2 := "goroutine 36 [select]:\n" +
		"net/http.(*persistConn).readLoop(0x1)\n\tnet/http/transport.go:2450 +0xc05\n" +
		"created by net/http.(*Transport).dialConn in goroutine 35\n\tnet/http/transport.go:1994 +0x16ac\n\n" +
		"goroutine 40 [select]:\n" +
		"net/http.(*persistConn).readLoop(0x1)\n\tnet/http/transport.go:2450 +0xc05\n" +
		"created by net/http.(*Transport).dialConn in goroutine 39\n\tnet/http/transport.go:1994 +0x16ac\n"
	a, err := parse.Read(strings.NewReader(debug2), "debug2")
	if err != nil {
		t.Fatal(err)
	}
	b, err := parse.Read(strings.NewReader(sigquit), "sigquit")
	if err != nil {
		t.Fatal(err)
	}
	r := classify.Compare([]*parse.Snapshot{a, b}, nil)
	var got [][]int
	for _, g := range r.Groups {
		got = append(got, g.Counts)
	}
	if diff := cmp.Diff([][]int{{2, 1}}, got); diff != "" {
		t.Errorf("group counts (-want +got):\n%s", diff)
	}
}
