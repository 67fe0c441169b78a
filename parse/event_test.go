package parse_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

// eventCorpus gives the event of every corpus file of one snapshot: nil for
// a plain dump. The messages are the runtime's lines as the files print them.
var eventCorpus = map[string]*parse.Event{
	"generated/debug_stack_single_goroutine.txt":    nil,
	"generated/derived_crlf_stack_mixed_states.txt": nil,
	"generated/derived_journald_prefixed_sigquit.txt": {
		Kind: parse.EventSignal, Message: "SIGQUIT: quit",
	},
	"generated/derived_kubectl_timestamps_panic.txt": {
		Kind:      parse.EventPanic,
		Message:   "runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x8 pc=0x4b1db4]",
		Goroutine: 20,
	},
	"generated/fatal_all_goroutines_asleep_deadlock.txt": {
		Kind: parse.EventDeadlock, Message: "all goroutines are asleep - deadlock!",
	},
	"generated/fatal_concurrent_map_writes.txt": {
		Kind: parse.EventFatal, Message: "concurrent map writes", Goroutine: 23,
	},
	"generated/fatal_concurrent_map_writes_all.txt": {
		Kind: parse.EventFatal, Message: "concurrent map writes", Goroutine: 7,
	},
	"generated/fatal_goexit_deadlock.txt": {
		Kind: parse.EventDeadlock, Message: "all goroutines are asleep - deadlock!",
	},
	"generated/fatal_stack_overflow.txt": {
		Kind:      parse.EventFatal,
		Message:   "stack overflow\nruntime: goroutine stack exceeds 1048576-byte limit",
		Goroutine: 1,
	},
	"generated/fatal_unlock_unlocked_mutex.txt": {
		Kind: parse.EventFatal, Message: "sync: unlock of unlocked mutex", Goroutine: 1,
	},
	"generated/go_test_timeout_panic.txt": {
		Kind: parse.EventTestTimeout, Message: "test timed out after 3s", Goroutine: 17,
		Tests: []string{"TestPutHangs"},
	},
	"generated/goleak_verifynone_test_failure.txt": {
		Kind: parse.EventGoleak, Message: "found unexpected goroutines",
	},
	"generated/goroutineleak_debug0.pb.gz":            nil,
	"generated/goroutineleak_debug1.txt":              nil,
	"generated/goroutineleak_debug2.txt":              nil,
	"generated/goroutineleak_runtime_stack_after.txt": nil,
	"generated/panic_gotraceback_all_go_run.txt": {
		Kind: parse.EventPanic, Message: "processor: nil seen map while applying order 1001 (retries=3)", Goroutine: 82,
	},
	"generated/panic_index_out_of_range.txt": {
		Kind: parse.EventPanic, Message: "runtime error: index out of range [5] with length 3", Goroutine: 1,
	},
	"generated/panic_nested_in_defer.txt": {
		Kind:      parse.EventPanic,
		Message:   "runtime error: index out of range [5] with length 0\npanic: (main.ValidationError) 0x4e7878",
		Goroutine: 1,
	},
	"generated/panic_nil_deref_default.txt": {
		Kind:      parse.EventPanic,
		Message:   "runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x8 pc=0x4b1db4]",
		Goroutine: 20,
	},
	"generated/panic_recovered_repanicked_all.txt": {
		Kind: parse.EventPanic, Message: "settle batch 77: i/o timeout [recovered, repanicked]", Goroutine: 1,
	},
	"generated/panic_send_on_closed_channel.txt": {
		Kind: parse.EventPanic, Message: "send on closed channel", Goroutine: 1,
	},
	"generated/pprof_goroutine_debug0.pb.gz":  nil,
	"generated/pprof_goroutine_debug1.txt":    nil,
	"generated/pprof_goroutine_debug2.txt":    nil,
	"generated/pprof_long_blocked_debug1.txt": nil,
	"generated/pprof_long_blocked_debug2.txt": nil,
	"generated/race_report.txt": {
		Kind: parse.EventRace, Message: "DATA RACE", Goroutine: 8,
	},
	"generated/sigquit_gotraceback_all.txt": {
		Kind: parse.EventSignal, Message: "SIGQUIT: quit",
	},
	// Seven per-thread sections, each with its "SIGQUIT: quit": one event.
	"generated/sigquit_gotraceback_crash.txt": {
		Kind: parse.EventSignal, Message: "SIGQUIT: quit",
	},
	"generated/sigquit_gotraceback_default.txt": {
		Kind: parse.EventSignal, Message: "SIGQUIT: quit",
	},
	"generated/sigquit_gotraceback_system.txt": {
		Kind: parse.EventSignal, Message: "SIGQUIT: quit",
	},
	"generated/sigquit_long_blocked_gotraceback_all.txt": {
		Kind: parse.EventSignal, Message: "SIGQUIT: quit",
	},
	"generated/stack_100k_goroutines.txt.gz":           nil,
	"generated/stack_deep_recursion_frames_elided.txt": nil,
	"generated/stack_long_blocked_minutes.txt":         nil,
	"generated/stack_mixed_states.txt":                 nil,
	"generated/stack_tracebackancestors.txt":           nil,
	"generated/stack_tracebacklabels.txt":              nil,
	"generated/synctest_bubble_deadlock_test_failure.txt": {
		Kind:      parse.EventDeadlock,
		Message:   "deadlock: main bubble goroutine has exited but blocked goroutines remain [recovered, repanicked]",
		Goroutine: 4,
	},
	"generated/synctest_bubble_runtime_stack.txt": nil,
	"generated/synctest_bubble_test_timeout.txt": {
		Kind: parse.EventTestTimeout, Message: "test timed out after 20s", Goroutine: 5,
		Tests: []string{"TestBubbleDump"},
	},

	"public/goleak_testdata_http.go1.20.txt":             nil,
	"public/goleak_testdata_http.tracebackancestors.txt": nil,
	"public/goleak_testdata_http.txt":                    nil,
	"public/gostackparse_ancestors.txt":                  nil,
	"public/gostackparse_cgo.txt":                        nil,
	"public/gostackparse_empty_stack.txt":                nil,
	"public/gostackparse_errorhandling.txt":              nil,
	"public/gostackparse_frameselided.txt":               nil,
	"public/gostackparse_frameselided_goroutine.txt":     nil,
	"public/gostackparse_go121_createdby.txt":            nil,
	"public/gostackparse_lockedm.txt":                    nil,
	"public/gostackparse_partial_createdby.txt":          nil,
	"public/gostackparse_partial_stack.txt":              nil,
	"public/gostackparse_waitsince.txt":                  nil,
	"public/gostackparse_windows.txt":                    nil,
	"public/panicparse_static_panic_race.txt": {
		Kind: parse.EventRace, Message: "DATA RACE", Goroutine: 8,
	},
	"public/panicparse_static_panicweb_pprof_debug2.txt": nil,
	// panicparse's hand-written dumps: the first goroutine after the panic
	// line is the one it names, whatever its state.
	"public/panicparse_synthetic_assembly_frames.txt": {
		Kind: parse.EventPanic, Message: "reflect.Set: value of type", Goroutine: 16,
	},
	"public/panicparse_synthetic_cgo_unknown_file.txt": nil,
	"public/panicparse_synthetic_created_by_exit_status.txt": {
		Kind: parse.EventPanic, Message: "reflect.Set: value of type", Goroutine: 1,
	},
	"public/panicparse_synthetic_frames_elided.txt": {
		Kind: parse.EventPanic, Message: "reflect.Set: value of type", Goroutine: 16,
	},
	"public/panicparse_synthetic_indented.txt": nil,
	"public/panicparse_synthetic_longwait_locked.txt": {
		Kind: parse.EventPanic, Message: "bleh", Goroutine: 1,
	},
	"public/panicparse_synthetic_no_pc_offset.txt": {
		Kind: parse.EventPanic, Message: "runtime error: index out of range", Goroutine: 37,
	},
	"public/panicparse_synthetic_sigquit_goroutine0_c_frames.txt": {
		Kind: parse.EventSignal, Message: "SIGQUIT: quit",
	},
	"public/panicparse_synthetic_stack_unavailable_created.txt": {
		Kind: parse.EventPanic, Message: "reflect.Set: value of type", Goroutine: 24,
	},
	"public/panicparse_synthetic_syscall_elided_args.txt": {
		Kind: parse.EventPanic, Message: "reflect.Set: value of type", Goroutine: 5,
	},
}

// TestEventCorpus checks the event of every corpus file that holds a dump.
func TestEventCorpus(t *testing.T) {
	for _, tc := range corpus {
		if tc.snapshots == 0 {
			continue
		}
		want, ok := eventCorpus[tc.name]
		if !ok {
			t.Errorf("%s: not in eventCorpus", tc.name)
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			snaps, err := readAllFile(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) != 1 {
				t.Fatalf("%d snapshots, want 1", len(snaps))
			}
			if diff := cmp.Diff(want, snaps[0].Event); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEventSeveralDumps: each dump of an input gets its own event, and a
// plain dump after a crash report gets none.
func TestEventSeveralDumps(t *testing.T) {
	files := []string{
		"generated/panic_nested_in_defer.txt",
		"generated/stack_mixed_states.txt",
		"generated/sigquit_gotraceback_crash.txt",
		"generated/fatal_all_goroutines_asleep_deadlock.txt",
		"generated/race_report.txt",
		"generated/go_test_timeout_panic.txt",
		"generated/goleak_verifynone_test_failure.txt",
		"generated/derived_kubectl_timestamps_panic.txt",
	}
	var in []byte
	var want []*parse.Event
	for _, f := range files {
		in = append(in, readTestdata(t, f)...)
		want = append(want, eventCorpus[f])
	}
	snaps, err := parse.ReadAll(bytes.NewReader(in), "all")
	if err != nil {
		t.Fatal(err)
	}
	var got []*parse.Event
	for _, s := range snaps {
		got = append(got, s.Event)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestEventLines reads events the corpus does not hold, as the runtime and
// the testing packages print them.
func TestEventLines(t *testing.T) {
	const g1 = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1d\n"
	const g7 = "goroutine 7 [chan receive]:\nmain.worker()\n\t/app/main.go:20 +0x1d\ncreated by main.main in goroutine 1\n\t/app/main.go:8 +0x25\n"
	tests := []struct {
		name, in string
		want     *parse.Event
	}{{
		name: "recovered chain",
		in:   "panic: boom [recovered]\n\tpanic: again\n\n" + g1,
		want: &parse.Event{Kind: parse.EventPanic, Message: "boom [recovered]\npanic: again", Goroutine: 1},
	}, {
		name: "multi-line panic value",
		in:   "panic: first line\n\tsecond line\n\n" + g1,
		want: &parse.Event{Kind: parse.EventPanic, Message: "first line\nsecond line", Goroutine: 1},
	}, {
		name: "old signal line",
		in:   "panic: runtime error: invalid memory address or nil pointer dereference\n[signal 0xb code=0x1 addr=0x0 pc=0x401000]\n\n" + g1,
		want: &parse.Event{Kind: parse.EventPanic, Message: "runtime error: invalid memory address or nil pointer dereference\n[signal 0xb code=0x1 addr=0x0 pc=0x401000]", Goroutine: 1},
	}, {
		name: "test timeout with subtests",
		in:   "panic: test timed out after 10m0s\n\trunning tests:\n\t\tTestA (10m0s)\n\t\tTestB/sub_case (9m59s)\n\n" + g7 + "\n" + g1,
		want: &parse.Event{Kind: parse.EventTestTimeout, Message: "test timed out after 10m0s", Goroutine: 7, Tests: []string{"TestA", "TestB/sub_case"}},
	}, {
		name: "test timeout before running tests were listed",
		in:   "panic: test timed out after 1s\n\n" + g7,
		want: &parse.Event{Kind: parse.EventTestTimeout, Message: "test timed out after 1s", Goroutine: 7},
	}, {
		name: "Goexit deadlock",
		in:   "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n\n" + g7,
		want: &parse.Event{Kind: parse.EventDeadlock, Message: "no goroutines (main called runtime.Goexit) - deadlock!"},
	}, {
		name: "synctest bubble blocked",
		in:   "panic: deadlock: all goroutines in bubble are blocked\n\n" + g7,
		want: &parse.Event{Kind: parse.EventDeadlock, Message: "deadlock: all goroutines in bubble are blocked", Goroutine: 7},
	}, {
		name: "a panic value that only says deadlock",
		in:   "panic: deadlock: a Service method called another one\n\n" + g7,
		want: &parse.Event{Kind: parse.EventPanic, Message: "deadlock: a Service method called another one", Goroutine: 7},
	}, {
		name: "fault in C code",
		in:   "SIGSEGV: segmentation violation\nPC=0x7f0000001000 m=0 sigcode=1 addr=0x0\nsignal arrived during cgo execution\n\ngoroutine 7 gp=0xc000002380 m=0 mp=0x5ab300 [syscall]:\nruntime.cgocall(0x401000, 0xc000051f20)\n\t/usr/local/go/src/runtime/cgocall.go:167 +0x4b fp=0xc000051ef8 sp=0xc000051ec0 pc=0x40a00b\n",
		want: &parse.Event{Kind: parse.EventSignal, Message: "SIGSEGV: segmentation violation\nsignal arrived during cgo execution", Goroutine: 7},
	}, {
		name: "abort sent to the process",
		in:   "SIGABRT: abort\nPC=0x46a8c1 m=0 sigcode=0\n\n" + g7,
		want: &parse.Event{Kind: parse.EventSignal, Message: "SIGABRT: abort"},
	}, {
		name: "fatal signal in the runtime",
		in:   "fatal error: unexpected signal during runtime execution\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4123]\n\nruntime stack:\nruntime.throw({0x4b2, 0x2a})\n\t/usr/local/go/src/runtime/panic.go:1101 +0x48\n\n" + g7,
		want: &parse.Event{Kind: parse.EventFatal, Message: "unexpected signal during runtime execution\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4123]", Goroutine: 7},
	}, {
		name: "GOTRACEBACK=crash after a panic",
		in:   "panic: boom\n\n" + g1 + "\n" + g7 + "\n-----\n\nSIGABRT: abort\nPC=0x46a8c1 m=0 sigcode=0\n\n" + g1,
		want: &parse.Event{Kind: parse.EventPanic, Message: "boom", Goroutine: 1},
	}, {
		name: "indented in test output",
		in:   "    panic: boom\n    \n    " + strings.ReplaceAll(g1, "\n", "\n    "),
		want: &parse.Event{Kind: parse.EventPanic, Message: "boom", Goroutine: 1},
	}, {
		name: "journald prefix",
		in:   prefixLines("Nov 26 13:35:51 host app[42]: ", "SIGQUIT: quit\nPC=0x48d4e1 m=0 sigcode=0\n\n"+g7),
		want: &parse.Event{Kind: parse.EventSignal, Message: "SIGQUIT: quit"},
	}, {
		name: "a log line quoting a panic, then a plain dump",
		in:   "2026/11/26 13:35:44 recovered: panic: boom\n" + g7,
		want: nil,
	}, {
		name: "a log line quoting a panic before a prefixed dump",
		in:   "2026/11/26 13:35:44 recovered: panic: boom\n" + prefixLines("2026-11-26T13:36:21.512Z ", g7),
		want: nil,
	}, {
		name: "a panic line long before the dump",
		in:   "panic: boom\n" + strings.Repeat("log line\n", 200) + g7,
		want: nil,
	}, {
		name: "a panic line before a goleak failure",
		in:   "panic: boom\n" + "    x_test.go:9: found unexpected goroutines:\n        [Goroutine 7 in state chan receive, with main.worker on top of the stack:\n        main.worker()\n        \t/app/main.go:20 +0x1d\n        ]\n",
		want: &parse.Event{Kind: parse.EventGoleak, Message: "found unexpected goroutines"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, crlf := range []bool{false, true} {
				in := tc.in
				if crlf {
					in = strings.ReplaceAll(in, "\n", "\r\n")
				}
				snaps, err := parse.ReadAll(strings.NewReader(in), "x")
				if err != nil {
					t.Fatal(err)
				}
				if len(snaps) != 1 {
					t.Fatalf("%d snapshots, want 1", len(snaps))
				}
				if diff := cmp.Diff(tc.want, snaps[0].Event); diff != "" {
					t.Errorf("crlf=%v: event (-want +got):\n%s", crlf, diff)
				}
			}
		})
	}
}

// TestEventBounds: a hostile dump cannot make an event large.
func TestEventBounds(t *testing.T) {
	const g1 = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1d\n"
	var chain strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&chain, "\tpanic: %d\n", i)
	}
	var names strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&names, "\t\tTest%06d (1s)\n", i)
	}
	tests := []struct {
		name, in string
		check    func(*parse.Event) bool
	}{
		{"long value", "panic: " + strings.Repeat("é", 1<<18) + "\n\n" + g1, func(e *parse.Event) bool {
			return len(e.Message) <= 4<<10 && len(e.Message) > 4<<10-2 && strings.Count(e.Message, "é") == len(e.Message)/2
		}},
		{"long chain", "panic: 0\n" + chain.String() + "\n" + g1, func(e *parse.Event) bool {
			return strings.Count(e.Message, "\n") == 15 && strings.HasSuffix(e.Message, "\npanic: 14")
		}},
		{"many tests", "panic: test timed out after 1s\n\trunning tests:\n" + names.String() + "\n" + g1, func(e *parse.Event) bool {
			n := 0
			for _, s := range e.Tests {
				n += len(s)
			}
			return n <= 64<<10 && n > 64<<10-20 && e.Tests[0] == "Test000000"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parse.Read(strings.NewReader(tc.in), "x")
			if err != nil {
				t.Fatal(err)
			}
			if s.Event == nil || s.Event.Goroutine != 1 || !tc.check(s.Event) {
				e := fmt.Sprint(s.Event)
				t.Errorf("event out of bounds: %.300s", e)
			}
		})
	}
}

// prefixLines puts p before every line of s.
func prefixLines(p, s string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(p + l)
		}
	}
	return b.String()
}
