// Stackdiff compares Go goroutine dumps and reports which goroutine groups
// grew, what each is blocked on, where it was created, and which look
// leaked.
//
// Note: every block below that begins with "$ stackdiff" is run by
// doc_test.go from the repository root, and its output must match.
//
// Usage:
//
//	stackdiff [flags] BEFORE AFTER     compare two dumps
//	stackdiff [flags] DUMP             postmortem summary of one dump
//	stackdiff [flags] D1 D2 D3 ...     a series: first against last, with trends
//	stackdiff [flags] [-]              read the dump(s) from standard input
//	stackdiff --watch [flags] URL ...  watch live services, report leaks as they appear
//
// An input may hold several dumps (a log with two SIGQUIT dumps, or
// "cat before.txt after.txt"): each is a snapshot, in order. Inputs may be
// gzip-compressed; the format is detected from the content.
//
// # Examples
//
// A goroutine that sends on a channel nobody reads any more:
//
//	$ stackdiff --frames 2 samples/dumps/unbuffered-send/before.txt samples/dumps/unbuffered-send/after.txt
//	1 new goroutine since samples/dumps/unbuffered-send/before.txt (1 → 2 goroutines); 1 of them looks leaked, in 1 group
//
//	VERDICT  LABEL      Δ   before.txt  after.txt  STATE      SITE                                         CREATED BY
//	leak     chan-send  +1  0           1          chan send  scenarios.fetchWithTimeout.func1 chan.go:57  scenarios.fetchWithTimeout chan.go:57
//
//	leak chan-send  +1 (0 → 1)  chan send
//	    evidence: 1 new since samples/dumps/unbuffered-send/before.txt
//	    why:      blocked sending on a channel that nobody receives from
//	    fix:      give the channel a buffer, or select on ctx.Done() so the sender can give up
//	      github.com/stackdiff/stackdiff/samples/scenarios.fetchWithTimeout.func1
//	          github.com/stackdiff/stackdiff/samples/scenarios/chan.go:57
//	      created by github.com/stackdiff/stackdiff/samples/scenarios.fetchWithTimeout
//	          github.com/stackdiff/stackdiff/samples/scenarios/chan.go:57
//
//	2 ok groups without new goroutines not shown (--all shows them)
//
// An http.Transport built per request and never closed leaves its idle
// connections' loops behind; the server side of each connection is a
// suspect, because a kept-open connection can be legitimate:
//
//	$ stackdiff --frames 0 samples/dumps/transport-per-request/before.txt samples/dumps/transport-per-request/after.txt
//	9 new goroutines since samples/dumps/transport-per-request/before.txt (2 → 11 goroutines); 6 of them look leaked, in 2 groups
//
//	VERDICT  LABEL             Δ   before.txt  after.txt  STATE    SITE                                             CREATED BY
//	leak     http-idle-conn    +3  0           3          IO wait  http.(*persistConn).readLoop transport.go:2330   http.(*Transport).dialConn transport.go:1994
//	leak     http-client-conn  +3  0           3          select   http.(*persistConn).writeLoop transport.go:2652  http.(*Transport).dialConn transport.go:1995
//	ok       http-server-conn  +3  0           3          IO wait  http.(*conn).serve server.go:2103                http.(*Server).Serve server.go:3464
//
//	leak http-idle-conn  +3 (0 → 3)  IO wait
//	    evidence: 3 new since samples/dumps/transport-per-request/before.txt
//	    why:      idle keep-alive connection of an http.Transport that is never closed
//	    fix:      reuse one http.Client/Transport, or call transport.CloseIdleConnections()
//
//	leak http-client-conn  +3 (0 → 3)  select
//	    evidence: 3 new since samples/dumps/transport-per-request/before.txt
//	    why:      write loop of an open net/http client connection
//	    fix:      close response bodies and idle connections; it goes away with its read loop
//
//	ok, though they grew:
//	    http-server-conn +3: grew with the connections (0 → 3): they serve connections, and the goroutines reading connections went 0 → 3
//
//	3 ok groups (1 unchanged, 2 without new goroutines) not shown (--all shows them)
//
// The fixed version of a worker pool gives nothing to report:
//
//	$ stackdiff samples/dumps/context-workers/before.txt samples/dumps/context-workers/after.txt
//	0 new goroutines since samples/dumps/context-workers/before.txt (1 → 1 goroutine); no leaks
//
//	2 ok groups without new goroutines not shown (--all shows them)
//
// In scripts and CI, the exit status is what matters:
//
//	$ stackdiff -q samples/dumps/sleep-forever/before.txt samples/dumps/sleep-forever/after.txt || echo leaked
//	leaked
//
// # One dump read alone
//
// A crash log, a SIGQUIT dump or a paste opens with its event in the
// runtime's words, then the goroutine the event names, with its stack:
//
//	$ stackdiff --frames 2 parse/testdata/generated/go_test_timeout_panic.txt
//	panic: test timed out after 3s
//	    running tests: TestPutHangs
//	4 goroutines in parse/testdata/generated/go_test_timeout_panic.txt, 4 groups; no leak proven, most suspicious first; 1 suspect group
//
//	TestPutHangs hung (goroutine 7): chan receive at store.(*Store).Put store.go:39
//	      github.com/acme/ordersvc/internal/store.(*Store).Put
//	          /app/zoo/internal/store/store.go:39
//	      github.com/acme/ordersvc/internal/store.TestPutHangs
//	          /app/zoo/internal/store/store_test.go:11
//	      testing.tRunner
//	          /usr/local/go/src/testing/testing.go:2036
//	      created by testing.(*T).Run
//	          /usr/local/go/src/testing/testing.go:2101
//
//	VERDICT  LABEL         go_test_timeout_panic.txt  STATE         SITE                                CREATED BY
//	suspect  chan-receive  1                          chan receive  store.(*Store).Put store.go:39      testing.(*T).Run testing.go:2101
//	ok       select        1                          select        store.(*Store).flusher store.go:25  store.New store.go:17
//
//	suspect chan-receive  ×1  chan receive
//	    evidence: running TestPutHangs when the test timed out after 3s
//	    why:      blocked receiving from a channel that nobody sends on or closes
//	    fix:      close the channel when the producer is done, or select on ctx.Done()
//
//	note: source not found for a channel wait above; with it, it might be labelled timer, ticker or context-never-cancelled (--source-root DIR)
//
//	2 more groups, ranked lower, not shown (--all shows them)
//
// The runtime's own proof of a deadlock makes every blocked goroutine a
// leak:
//
//	$ stackdiff -q parse/testdata/generated/fatal_all_goroutines_asleep_deadlock.txt || echo leaked
//	leaked
//
// Without an event, the groups are ranked by suspicion and the first screen
// shows the most suspicious ones.
//
// # For editors, CI and pprof
//
// --lines prints one "file:line:" line per leak and suspect group, a path
// found under the current directory or --source-root written from the
// current directory when it lies under it (else from its root); --pprof
// FILE writes the groups as a pprof profile, tagged with verdict, label and
// state (go tool pprof -tagfocus verdict=leak FILE):
//
//	$ stackdiff --lines samples/dumps/unbuffered-send/before.txt samples/dumps/unbuffered-send/after.txt
//	samples/scenarios/chan.go:57: leak: 1 goroutine (+1) blocked sending on a channel that nobody receives from (chan-send), created by scenarios.fetchWithTimeout at chan.go:57; fix: give the channel a buffer, or select on ctx.Done() so the sender can give up
//
// # Getting dumps
//
// All of these are read, with any log noise around them:
//
//   - runtime.Stack(buf, true), or the capture package of this module;
//   - /debug/pprof/goroutine?debug=2 (and debug=1, which has counts but no
//     goroutine IDs, states or creators: stackdiff then matches by stack and
//     says what it could not know);
//   - a crash: panic, fatal error (including "all goroutines are asleep"),
//     go test timeouts, and SIGQUIT (kill -QUIT, or Ctrl-\ in a terminal)
//     under any GOTRACEBACK level;
//   - the goroutineleak profile of Go 1.27 (and of Go 1.26 built with
//     GOEXPERIMENT=goroutineleakprofile), whose "(leaked)" marks are proof
//     of a leak;
//   - lines prefixed by journald or kubectl logs --timestamps, CRLF endings;
//   - the protobuf goroutine profile (what "go tool pprof" fetches);
//   - a URL of a live process's net/http/pprof endpoint: stackdiff fetches
//     it (http://host:port alone means /debug/pprof/goroutine?debug=2), and
//     with --interval 30s fetches it twice, 30 s apart, or --count N times.
//
// # Watching live services
//
// With --watch, stackdiff fetches every URL (replicas of one service, or
// different services) each --interval (default 10s), until Ctrl-C, SIGTERM
// or --count rounds, and prints events as they happen, one line each:
//
//	stackdiff --watch http://app-1:6060 http://app-2:6060
//	stackdiff --watch --json --interval 30s --count 60 http://app:6060
//
// A group is "growing" when it rose at 2 fetches within the last 6 without
// falling; it is a "leak" when it rose at 3 within the last 6 without
// falling, crossed --threshold goroutines
// at one blocking site, was marked (leaked) by the goroutineleak profile
// (a debug=2 watch fetches /debug/pprof/goroutineleak?debug=2 by itself
// and falls back to the goroutine profile, saying so once, where it is not
// served; --leak-profile insists on it), or when its goroutines are new, none ended during the
// last 3 fetches and each has been blocked a minute or more. The first
// time a group is a leak its classified report is printed; a target that
// stops answering, answers again, or restarts is an event too ("down",
// "up", "restart": its groups are then followed anew), and the watch goes
// on. With several URLs, events say on how many targets
// the group grows ("grows on 2 of 3 targets"). --json prints one JSON
// object per event and line (NDJSON). The goroutines that serve
// stackdiff's own fetches are left out of every dump. Memory is bounded:
// a target keeps its first dump and a few counts per group.
//
// The runtime's pprof handler cuts a debug=2 dump at 64 MB: the last
// goroutine is then truncated, and stackdiff warns on stderr.
//
// From a pipe: "./app 2>&1 | stackdiff", then Ctrl-\ — SIGINT and SIGQUIT
// are ignored while stackdiff reads standard input, so the app dumps its
// goroutines and stackdiff reads them. Every line of the pipe that is not
// part of a dump (the app's logs) is written to stderr as it arrives, URL
// passwords hidden and control characters escaped; -q keeps it quiet.
//
// # Verdicts
//
// Each group gets a label (what it is blocked on, see the README) and a
// verdict: leak, suspect or ok, with its evidence. Goroutines that are new
// since the first snapshot and parked in a blocking wait are a leak;
// goroutines the runtime marked "(leaked)" are a leak; network waits that
// may be legitimate, nil-channel waits outside main, waits longer than
// their kind's threshold (a minute for a mutex, none for a worker's channel
// receive; --wait-threshold N sets one for all) and crowds of goroutines
// blocked at one site are suspects. Running, runnable, syscall and runtime
// goroutines never are.
//
// One dump alone has no baseline: its groups are ranked by suspicion (the
// kind of wait, the crowd at the site, the wait's length), and the first
// screen shows the top ten, flagged or not. A dump of a stopped process,
// where every goroutine but the one writing the dump waits on a channel, a
// lock or a WaitGroup and none on the network, a sleep or a system call,
// makes all those waits suspects: nothing is left to end them.
//
// # Exit status
//
// 0 when no group has verdict leak (or, with --fail-on suspect, suspect;
// --fail-on never always gives 0 on a report), 1 when one has, 2 on trouble: bad flags, unreadable input, no goroutine
// dump found. A watch exits 1 when it printed a leak event (with --fail-on
// suspect, also a growing or threshold event), and 2 when no fetch of any
// target worked. Errors are one line on stderr: "stackdiff: FILE: what is wrong".
package main
