package parse_test

import (
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

// The label sets samples/go127 gives its goroutines (goroutines.go), as
// canonical text: see labelText.
var (
	export = `endpoint=/api/export tenant=acme`
	sets   = []string{
		export,
		`endpoint=/api/import tenant=acme`,
		`k 1=v with spaces req=r0 z="}{:,\"\n"`,
		`emoji=😀 tab="a\tb" ünï=ç`,
		`ctl="\x1b[31mred\x00" url=https://user:secret@example.com/x`,
		`long=` + strings.Repeat("0123456789", 30),
		`empty=`,
	}
)

// wantSets is how many goroutines carry each label set when every
// goroutine of the program is in the dump (leaked is false) or only the
// leaked ones: each set labels a leaked sender and a held receiver, and
// export three leaked receivers more.
func wantSets(leaked bool) map[string]int {
	m := map[string]int{}
	for _, s := range sets {
		m[s] = 2
		if leaked {
			m[s] = 1
		}
	}
	m[export] += 3
	return m
}

// go127 lists the dumps of testdata/go127 with their goroutine counts:
// the 19 of the program (main, 7×2 labelled, 3 more labelled, 1 locked)
// plus what the runtime or go test adds.
var go127 = []struct {
	name   string
	count  int
	leaked bool // only the leaked goroutines are in the dump
}{
	{"stack_labels.txt", 19, false},
	{"pprof_goroutine_debug1.txt", 19, false},
	{"pprof_goroutine_debug2.txt", 19, false},
	{"goroutineleak_debug0.pb", 10, true},
	{"goroutineleak_debug1.txt", 10, true},
	{"goroutineleak_debug2.txt", 19, false},
	{"sigquit.txt", 25, false},                        // + runtime goroutines (system traceback)
	{"panic_gotraceback_all.txt", 20, false},          // + the panicking one
	{"go_test_timeout_panic.txt", 21, false},          // main is testing's; + the test runner and the alarm
	{"goleak_verifynone_test_failure.txt", 18, false}, // goleak lists all but main, labels in each state
}

// TestGo127 reads every Go 1.27 dump whole, with each goroutine's labels.
func TestGo127(t *testing.T) {
	listed := map[string]bool{}
	for _, tc := range go127 {
		listed[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			s := readOne(t, "go127/"+tc.name)
			if got := s.Count(); got != tc.count {
				t.Errorf("goroutines = %d, want %d", got, tc.count)
			}
			if len(s.Warnings) > 0 {
				t.Errorf("warnings: %q", s.Warnings)
			}
			want := wantSets(tc.leaked)
			if strings.HasSuffix(tc.name, ".pb") {
				// A protobuf label's value is an index in the string
				// table, where 0 is "": the profile reader takes a label
				// with an empty value for none.
				delete(want, "empty=")
			}
			if diff := cmp.Diff(want, labelCounts(s)); diff != "" {
				t.Errorf("label sets (-want +got):\n%s", diff)
			}
			leaked := 0
			for _, g := range s.Groups {
				if g.Leaked {
					leaked += g.Count
				}
			}
			if strings.HasPrefix(tc.name, "goroutineleak_debug2") && leaked != 10 {
				t.Errorf("%d goroutines marked (leaked), want 10", leaked)
			}
		})
	}
	entries, err := os.ReadDir("testdata/go127")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("%s is not in the go127 table", path.Join("go127", e.Name()))
		}
	}
}

// labelCounts counts the snapshot's goroutines by label set, whether the
// labels come with each goroutine (tracebacks) or with a count (profiles).
func labelCounts(s *parse.Snapshot) map[string]int {
	m := map[string]int{}
	for _, g := range s.Groups {
		for _, mem := range g.Members {
			if mem.Labels != nil {
				m[labelText(mem.Labels)]++
			}
		}
		if len(g.Members) == 0 {
			for _, ls := range g.LabelSets {
				m[labelText(ls.Labels)] += ls.Count
			}
		}
	}
	return m
}

// labelText is a label set as "k=v k=v" in key order, each key and value
// Go-quoted when it is not plain text.
func labelText(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, quoteIfNeeded(k)+"="+quoteIfNeeded(labels[k]))
	}
	return strings.Join(parts, " ")
}

func quoteIfNeeded(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r == '"' || r == '\\' || !unicode.IsGraphic(r) }) {
		return strconv.Quote(s)
	}
	return s
}
