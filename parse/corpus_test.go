package parse_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/parse"
)

// corpus lists every file of testdata/generated and testdata/public (copies
// of the shared dump corpus) with its true goroutine count as the corpus
// README gives it, and the number of snapshots it holds.
var corpus = []struct {
	name      string // path under testdata
	count     int    // true goroutine count, summed over snapshots
	snapshots int
	reason    string // why that count: format and what matters for counting
}{
	{"generated/debug_stack_single_goroutine.txt", 1, 1, "debug.Stack() inside a log line: the header follows the log prefix"},
	{"generated/derived_crlf_stack_mixed_states.txt", 26, 1, "stack_mixed_states.txt with CRLF line endings"},
	{"generated/derived_journald_prefixed_sigquit.txt", 32, 1, "sigquit_gotraceback_all.txt behind a journald prefix on every line"},
	{"generated/derived_kubectl_timestamps_panic.txt", 1, 1, "panic_nil_deref_default.txt behind RFC 3339 timestamps"},
	{"generated/fatal_all_goroutines_asleep_deadlock.txt", 4, 1, "fatal error: all goroutines are asleep, every goroutine printed"},
	{"generated/fatal_concurrent_map_writes.txt", 1, 1, "fatal error, GOTRACEBACK default: only the throwing goroutine"},
	{"generated/fatal_concurrent_map_writes_all.txt", 11, 1, "fatal error with GOTRACEBACK=all"},
	{"generated/fatal_goexit_deadlock.txt", 2, 1, "deadlock after Goexit: no goroutine 1"},
	{"generated/fatal_stack_overflow.txt", 8, 1, "stack overflow: the header-less 'runtime stack:' of g0 is not a goroutine"},
	{"generated/fatal_unlock_unlocked_mutex.txt", 1, 1, "fatal error: goroutine 1 only"},
	{"generated/go_test_timeout_panic.txt", 4, 1, "go test -timeout panic between test output lines"},
	{"generated/goleak_verifynone_test_failure.txt", 2, 1, "goleak's own format: two 'Goroutine N in state S' entries"},
	{"generated/goroutineleak_debug0.pb.gz", 8, 1, "goroutineleak protobuf profile: the sum of the sample values"},
	{"generated/goroutineleak_debug1.txt", 8, 1, "goroutineleak debug=1: the 'total 8' of its records"},
	{"generated/goroutineleak_debug2.txt", 11, 1, "goroutineleak debug=2: every goroutine, leaked or not"},
	{"generated/goroutineleak_runtime_stack_after.txt", 11, 1, "runtime.Stack after the leak GC"},
	{"generated/panic_gotraceback_all_go_run.txt", 54, 1, "panic with GOTRACEBACK=all, 3 goroutines with no stack available"},
	{"generated/panic_index_out_of_range.txt", 1, 1, "panic: one goroutine"},
	{"generated/panic_nested_in_defer.txt", 1, 1, "nested panic: two panic lines, one goroutine"},
	{"generated/panic_nil_deref_default.txt", 1, 1, "panic with a [signal SIGSEGV] line"},
	{"generated/panic_recovered_repanicked_all.txt", 3, 1, "re-panic with GOTRACEBACK=all"},
	{"generated/panic_send_on_closed_channel.txt", 1, 1, "panic: one goroutine"},
	{"generated/pprof_goroutine_debug0.pb.gz", 25, 1, "goroutine protobuf profile: the sum of the sample values"},
	{"generated/pprof_goroutine_debug1.txt", 25, 1, "debug=1: the 'total 25' of its records"},
	{"generated/pprof_goroutine_debug2.txt", 25, 1, "debug=2: runtime.Stack text"},
	{"generated/pprof_long_blocked_debug1.txt", 25, 1, "debug=1: the 'total 25' of its records"},
	{"generated/pprof_long_blocked_debug2.txt", 25, 1, "debug=2 with ', 1 minutes'"},
	{"generated/race_report.txt", 2, 1, "three race reports naming the same 2 goroutines: one snapshot of distinct IDs"},
	{"generated/sigquit_gotraceback_all.txt", 32, 1, "SIGQUIT system traceback, goroutine 0 included"},
	{"generated/sigquit_gotraceback_crash.txt", 32, 1, "37 headers in 7 per-thread sections: repeated IDs are one goroutine, one dump"},
	{"generated/sigquit_gotraceback_default.txt", 31, 1, "SIGQUIT system traceback"},
	{"generated/sigquit_gotraceback_system.txt", 32, 1, "SIGQUIT system traceback"},
	{"generated/sigquit_long_blocked_gotraceback_all.txt", 33, 1, "SIGQUIT after log lines"},
	{"generated/stack_100k_goroutines.txt.gz", 100002, 1, "gzipped runtime.Stack of 100 002 goroutines"},
	{"generated/stack_deep_recursion_frames_elided.txt", 21, 1, "'...84 frames elided...' inside a stack"},
	{"generated/stack_long_blocked_minutes.txt", 25, 1, "runtime.Stack with ', 1 minutes'"},
	{"generated/stack_mixed_states.txt", 26, 1, "runtime.Stack with every common wait state"},
	{"generated/stack_tracebackancestors.txt", 5, 1, "'[originating from goroutine N]:' sections are not goroutines"},
	{"generated/stack_tracebacklabels.txt", 23, 1, "labels in the headers"},
	{"generated/synctest_bubble_deadlock_test_failure.txt", 7, 1, "synctest deadlock panic in go test output"},
	{"generated/synctest_bubble_runtime_stack.txt", 12, 1, "bubble decorations in the headers"},
	{"generated/synctest_bubble_test_timeout.txt", 13, 1, "go test timeout panic"},
	{"public/goleak_testdata_http.go1.20.txt", 5, 1, "Go 1.20 runtime.Stack"},
	{"public/goleak_testdata_http.tracebackancestors.txt", 5, 1, "ancestors sections are not goroutines"},
	{"public/goleak_testdata_http.txt", 5, 1, "runtime.Stack of an HTTP server"},
	{"public/gostackparse_ancestors.txt", 3, 1, "ancestors sections are not goroutines"},
	{"public/gostackparse_cgo.txt", 3, 1, "cgo frames"},
	{"public/gostackparse_empty_input.txt", 0, 0, "empty file: no dump (ErrNoDump)"},
	{"public/gostackparse_empty_stack.txt", 2, 1, "headers without frames still count"},
	{"public/gostackparse_errorhandling.txt", 3, 1, "broken frame lines do not lose goroutines"},
	{"public/gostackparse_frameselided.txt", 1, 1, "old '...additional frames elided...'"},
	{"public/gostackparse_frameselided_goroutine.txt", 2, 1, "elision followed by created by"},
	{"public/gostackparse_go121_createdby.txt", 2, 1, "created by ... in goroutine N"},
	{"public/gostackparse_lockedm.txt", 1, 1, "[running, locked to thread]"},
	{"public/gostackparse_partial_createdby.txt", 2, 1, "truncated input: the cut goroutine still counts"},
	{"public/gostackparse_partial_stack.txt", 2, 1, "truncated input: the cut goroutine still counts"},
	{"public/gostackparse_waitsince.txt", 9, 1, "debug=2 with wait durations"},
	{"public/gostackparse_windows.txt", 1, 1, "drive-letter path"},
	{"public/panicparse_static_panic_race.txt", 2, 1, "one race report with 2 goroutines after a junk line"},
	{"public/panicparse_static_panicweb_pprof_debug2.txt", 71, 1, "debug=2 of an HTTP server"},
	{"public/panicparse_synthetic_assembly_frames.txt", 1, 1, "assembly frame"},
	{"public/panicparse_synthetic_cgo_unknown_file.txt", 1, 1, "?? file"},
	{"public/panicparse_synthetic_created_by_exit_status.txt", 1, 1, "trailing 'exit status 2'"},
	{"public/panicparse_synthetic_frames_elided.txt", 1, 1, "old elision"},
	{"public/panicparse_synthetic_indented.txt", 1, 1, "dump indented by 2 spaces inside test output"},
	{"public/panicparse_synthetic_longwait_locked.txt", 3, 1, "wait minutes and locked to thread"},
	{"public/panicparse_synthetic_no_pc_offset.txt", 1, 1, "file lines without +0x offset"},
	{"public/panicparse_synthetic_sigquit_goroutine0_c_frames.txt", 1, 1, "8-space indentation, C frames"},
	{"public/panicparse_synthetic_stack_unavailable_created.txt", 1, 1, "stack unavailable, with a creator"},
	{"public/panicparse_synthetic_syscall_elided_args.txt", 1, 1, "old syscall frames with fp= sp="},
}

func TestCorpusCounts(t *testing.T) {
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			snaps, err := readAllFile(tc.name)
			if tc.snapshots == 0 {
				if !errors.Is(err, parse.ErrNoDump) {
					t.Errorf("err = %v, want ErrNoDump (%s)", err, tc.reason)
				}
			} else if err != nil {
				t.Fatalf("ReadAll: %v", err)
			}
			if got := total(snaps); got != tc.count {
				t.Errorf("goroutines = %d, want %d (%s)", got, tc.count, tc.reason)
			}
			if len(snaps) != tc.snapshots {
				t.Errorf("snapshots = %d, want %d (%s)", len(snaps), tc.snapshots, tc.reason)
			}
		})
	}
}

// TestCorpusComplete checks that the table above covers every file of the
// corpus copy, so that a file added later cannot go untested.
func TestCorpusComplete(t *testing.T) {
	listed := map[string]bool{}
	for _, tc := range corpus {
		listed[tc.name] = true
	}
	for _, dir := range []string{"generated", "public"} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := path.Join(dir, e.Name())
			if !listed[name] {
				t.Errorf("%s is not in the corpus table", name)
			}
			delete(listed, name)
		}
	}
	for name := range listed {
		t.Errorf("%s is in the table but not in testdata", name)
	}
}

// TestCorpusCopy keeps testdata's copies of the corpus byte for byte what
// they were taken as: corpus.sha256 lists each file's SHA-256, and every
// file of generated/ and public/ must be listed and match. When the
// team's shared corpus is checked out beside the repository, the list
// must match it too, so the copies cannot drift from their source.
func TestCorpusCopy(t *testing.T) {
	list, err := os.ReadFile("testdata/corpus.sha256")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // path under testdata -> sum
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		sum, path, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("corpus.sha256: bad line %q", line)
		}
		want[path] = sum
	}
	sumOf := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", sha256.Sum256(b))
	}
	seen := 0
	for _, dir := range []string{"generated", "public"} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			rel := dir + "/" + e.Name()
			if e.IsDir() || e.Name() == "README.md" {
				continue
			}
			seen++
			switch sum, ok := want[rel]; {
			case !ok:
				t.Errorf("%s is not in corpus.sha256: add it with its source", rel)
			case sum != sumOf(filepath.Join("testdata", rel)):
				t.Errorf("%s differs from the corpus copy listed in corpus.sha256", rel)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("corpus.sha256 lists %d files, testdata holds %d", len(want), seen)
	}
	const shared = "../../shared/corpus"
	if _, err := os.Stat(shared); err != nil {
		return // the source is not beside the repository: the list stands for it
	}
	for rel, sum := range want {
		if got := sumOf(filepath.Join(shared, rel)); got != sum {
			t.Errorf("%s: the shared corpus has changed since it was copied", rel)
		}
	}
}

// TestConcatenatedDumps: two dumps in one input are two snapshots, whatever
// their formats, in input order.
func TestConcatenatedDumps(t *testing.T) {
	tests := []struct {
		a, b    string
		formats []parse.Format
		counts  []int
	}{
		{"generated/stack_mixed_states.txt", "generated/pprof_goroutine_debug2.txt",
			[]parse.Format{parse.FormatStack, parse.FormatStack}, []int{26, 25}},
		// The same dump twice: its IDs repeat, so it is a second moment.
		{"generated/stack_mixed_states.txt", "generated/stack_mixed_states.txt",
			[]parse.Format{parse.FormatStack, parse.FormatStack}, []int{26, 26}},
		{"generated/pprof_goroutine_debug1.txt", "generated/stack_mixed_states.txt",
			[]parse.Format{parse.FormatDebug1, parse.FormatStack}, []int{25, 26}},
		{"generated/race_report.txt", "generated/panic_nil_deref_default.txt",
			[]parse.Format{parse.FormatRace, parse.FormatStack}, []int{2, 1}},
		{"generated/stack_mixed_states.txt", "generated/race_report.txt",
			[]parse.Format{parse.FormatStack, parse.FormatRace}, []int{26, 2}},
		{"generated/goleak_verifynone_test_failure.txt", "generated/go_test_timeout_panic.txt",
			[]parse.Format{parse.FormatGoleak, parse.FormatStack}, []int{2, 4}},
		{"generated/stack_mixed_states.txt", "generated/goleak_verifynone_test_failure.txt",
			[]parse.Format{parse.FormatStack, parse.FormatGoleak}, []int{26, 2}},
		// Two goleak failures (two tests): two snapshots.
		{"generated/goleak_verifynone_test_failure.txt", "generated/goleak_verifynone_test_failure.txt",
			[]parse.Format{parse.FormatGoleak, parse.FormatGoleak}, []int{2, 2}},
	}
	for _, tc := range tests {
		t.Run(path.Base(tc.a)+"+"+path.Base(tc.b), func(t *testing.T) {
			in := append(readTestdata(t, tc.a), readTestdata(t, tc.b)...)
			snaps, err := parse.ReadAll(bytes.NewReader(in), "both")
			if err != nil {
				t.Fatal(err)
			}
			var formats []parse.Format
			var counts []int
			var names []string
			for _, s := range snaps {
				formats = append(formats, s.Format)
				counts = append(counts, s.Count())
				names = append(names, s.Name)
			}
			if !slices.Equal(formats, tc.formats) || !slices.Equal(counts, tc.counts) {
				t.Errorf("got formats %v counts %v, want %v %v", formats, counts, tc.formats, tc.counts)
			}
			if len(names) == 2 && (names[0] != "both" || names[1] != "both#2") {
				t.Errorf("names = %q, want both, both#2", names)
			}
		})
	}
}

// readTestdata returns the bytes of a file under testdata.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAllFile runs ReadAll on a file under testdata.
func readAllFile(name string) ([]*parse.Snapshot, error) {
	f, err := os.Open(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse.ReadAll(f, path.Base(name))
}

// readOne reads a file that holds exactly one snapshot.
func readOne(t testing.TB, name string) *parse.Snapshot {
	t.Helper()
	snaps, err := readAllFile(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(snaps) != 1 {
		t.Fatalf("%s: %d snapshots, want 1", name, len(snaps))
	}
	return snaps[0]
}

func total(snaps []*parse.Snapshot) int {
	n := 0
	for _, s := range snaps {
		n += s.Count()
	}
	return n
}
