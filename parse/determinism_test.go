package parse_test

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

func TestDeterministic(t *testing.T) {
	for _, tc := range corpus {
		if tc.snapshots == 0 || raceEnabled && tc.count > 10000 {
			continue // the huge dump twice is too slow under -race
		}
		a, errA := readAllFile(tc.name)
		b, errB := readAllFile(tc.name)
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v, %v", tc.name, errA, errB)
		}
		// reflect.DeepEqual first: cmp.Diff takes seconds on the 100k dump.
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s read twice differs:\n%s", tc.name, cmp.Diff(a, b))
		}
	}
}

// splitBlocks cuts a runtime.Stack dump into its goroutine blocks (each
// with its trailing blank line) and the text around them.
func splitBlocks(dump string) (head string, blocks []string, tail string) {
	paras := strings.SplitAfter(dump, "\n\n")
	i := 0
	for i < len(paras) && !strings.HasPrefix(paras[i], "goroutine ") {
		head += paras[i]
		i++
	}
	for ; i < len(paras) && strings.HasPrefix(paras[i], "goroutine "); i++ {
		b := paras[i]
		if !strings.HasSuffix(b, "\n\n") {
			b += "\n\n" // the last block
		}
		blocks = append(blocks, b)
	}
	for ; i < len(paras); i++ {
		tail += paras[i]
	}
	return head, blocks, tail
}

// TestShuffledBlocks: the order of goroutines in a dump does not change the
// groups or their order, only the order of each group's members.
func TestShuffledBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for _, name := range []string{
		"generated/stack_mixed_states.txt",
		"generated/sigquit_gotraceback_all.txt",
		"generated/panic_gotraceback_all_go_run.txt",
		"generated/goroutineleak_debug2.txt",
		"generated/stack_deep_recursion_frames_elided.txt",
		"generated/synctest_bubble_runtime_stack.txt",
		"generated/stack_tracebackancestors.txt",
		"public/panicparse_static_panicweb_pprof_debug2.txt",
		"public/goleak_testdata_http.tracebackancestors.txt",
	} {
		dump := string(readTestdata(t, name))
		head, blocks, tail := splitBlocks(dump)
		if len(blocks) < 3 {
			t.Fatalf("%s: %d blocks", name, len(blocks))
		}
		want := readOne(t, name)
		for round := range 3 {
			shuffled := slices.Clone(blocks)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			in := head + strings.Join(shuffled, "") + tail
			got, err := parse.Read(bytes.NewReader([]byte(in)), want.Name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(canonical(want), canonical(got)); diff != "" {
				t.Errorf("%s shuffle %d (-original +shuffled):\n%s", name, round, diff)
			}
		}
	}
}

// canonical copies a snapshot's groups with their members sorted by ID.
func canonical(s *parse.Snapshot) []parse.Group {
	var out []parse.Group
	for _, g := range s.Groups {
		c := *g
		c.Members = slices.Clone(g.Members)
		slices.SortFunc(c.Members, func(a, b parse.Member) int { return int(a.ID - b.ID) })
		out = append(out, c)
	}
	return out
}

// TestOrderIndependentGroupFields: goroutines of one group may differ in
// what the signature leaves out (the creator's line, the number of elided
// frames); the group's values must not depend on which came first.
func TestOrderIndependentGroupFields(t *testing.T) {
	blocks := []string{
		"goroutine 5 [chan send]:\nmain.w()\n\t/a.go:28 +0x74\ncreated by main.main in goroutine 1\n\t/a.go:26 +0x9d\n\n",
		"goroutine 6 [chan send]:\nmain.w()\n\t/a.go:28 +0x74\ncreated by main.main in goroutine 1\n\t/a.go:30 +0x9d\n\n",
		"goroutine 7 [running]:\nmain.r(...)\n\t/a.go:28\n...7 frames elided...\nmain.main()\n\t/a.go:9 +0x1\n\n",
		"goroutine 8 [running]:\nmain.r(...)\n\t/a.go:28\n...9 frames elided...\nmain.main()\n\t/a.go:9 +0x1\n\n",
	}
	var first []parse.Group
	for _, order := range [][]int{{0, 1, 2, 3}, {1, 0, 3, 2}, {3, 1, 2, 0}} {
		var in strings.Builder
		for _, i := range order {
			in.WriteString(blocks[i])
		}
		s, err := parse.Read(strings.NewReader(in.String()), "in")
		if err != nil {
			t.Fatal(err)
		}
		got := canonical(s)
		if first == nil {
			first = got
			if len(got) != 2 {
				t.Fatalf("%d groups, want 2", len(got))
			}
			continue
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("order %v (-first +this):\n%s", order, diff)
		}
	}
	for _, g := range first {
		if g.CreatedBy != nil && g.CreatedBy.Line != 26 {
			t.Errorf("creator line %d, want the first line of the creator, 26", g.CreatedBy.Line)
		}
		if g.CreatedBy == nil && g.Elided != 9 {
			t.Errorf("Elided = %d, want the largest, 9", g.Elided)
		}
	}
}
