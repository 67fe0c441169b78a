package classify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// originsByID maps each group's first goroutine ID to its origins.
func originsByID(r *classify.Report) map[int64][]classify.Origin {
	out := map[int64][]classify.Origin{}
	for _, g := range r.Groups {
		if len(g.IDs) > 0 {
			out[g.IDs[0]] = g.Origins
		}
	}
	return out
}

func TestOriginsCorpus(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "parse", "testdata", "generated", "stack_tracebackancestors.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := parse.Read(f, "ancestors")
	if err != nil {
		t.Fatal(err)
	}
	// Goroutines 21 to 24 descend from the call of main.ancestors in
	// goroutine 1, which has no origin.
	from := []classify.Origin{{Func: "main.ancestors", Count: 1}}
	want := map[int64][]classify.Origin{1: nil, 21: from, 22: from, 23: from, 24: from}
	if diff := cmp.Diff(want, originsByID(classify.Compare([]*parse.Snapshot{s}, nil))); diff != "" {
		t.Errorf("origins (-want +got):\n%s", diff)
	}

	// Without the ancestry sections, no origins: most lines would be cut.
	s, err = parse.Read(strings.NewReader("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1\n\ngoroutine 5 [chan receive]:\nmain.worker()\n\t/app/main.go:20 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:8 +0x1\n"), "plain")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int64][]classify.Origin{1: nil, 5: nil}, originsByID(classify.Compare([]*parse.Snapshot{s}, nil))); diff != "" {
		t.Errorf("origins without ancestry (-want +got):\n%s", diff)
	}
}

// A test binary's dump: goroutines left by two tests whose goroutines,
// and the helpers in between, have exited, fall in one group with two
// origins.
const testBinaryDump = `goroutine 1 [chan receive]:
testing.(*T).Run(...)
	/go/src/testing/testing.go:2005 +0x1
testing.runTests.func1(...)
	/go/src/testing/testing.go:2477 +0x1
testing.tRunner(...)
	/go/src/testing/testing.go:1934 +0x1
main.main()
	_testmain.go:50 +0x1

goroutine 30 [chan receive]:
example.com/m.park()
	/m/m.go:5 +0x1
created by example.com/m.fetch.func1 in goroutine 12
	/m/m.go:9 +0x1
[originating from goroutine 12]:
example.com/m.fetch.func1(...)
	/m/m.go:9 +0x1
created by example.com/m.fetch
	/m/m.go:8 +0x1
[originating from goroutine 8]:
example.com/m.fetch(...)
	/m/m.go:8 +0x1
example.com/m.TestFetchAll(...)
	/m/m_test.go:12 +0x1
testing.tRunner(...)
	/go/src/testing/testing.go:1934 +0x1
created by testing.(*T).Run
	/go/src/testing/testing.go:1997 +0x1
[originating from goroutine 1]:
testing.(*T).Run(...)
	/go/src/testing/testing.go:1997 +0x1

goroutine 31 [chan receive]:
example.com/m.park()
	/m/m.go:5 +0x1
created by example.com/m.fetch.func1 in goroutine 13
	/m/m.go:9 +0x1
[originating from goroutine 13]:
example.com/m.fetch.func1(...)
	/m/m.go:9 +0x1
created by example.com/m.fetch
	/m/m.go:8 +0x1
[originating from goroutine 9]:
example.com/m.fetch(...)
	/m/m.go:8 +0x1
example.com/m.TestFetchOne.func2(...)
	/m/m_test.go:20 +0x1
testing.tRunner(...)
	/go/src/testing/testing.go:1934 +0x1
created by testing.(*T).Run
	/go/src/testing/testing.go:1997 +0x1

goroutine 32 [chan receive]:
example.com/m.park()
	/m/m.go:5 +0x1
created by example.com/m.fetch.func1 in goroutine 14
	/m/m.go:9 +0x1
[originating from goroutine 14]:
example.com/m.fetch.func1(...)
	/m/m.go:9 +0x1
created by example.com/m.fetch
	/m/m.go:8 +0x1
[originating from goroutine 8]:
example.com/m.fetch(...)
	/m/m.go:8 +0x1
example.com/m.TestFetchAll(...)
	/m/m_test.go:12 +0x1
testing.tRunner(...)
	/go/src/testing/testing.go:1934 +0x1
created by testing.(*T).Run
	/go/src/testing/testing.go:1997 +0x1
`

func TestOriginsNameTests(t *testing.T) {
	s, err := parse.Read(strings.NewReader(testBinaryDump), "test")
	if err != nil {
		t.Fatal(err)
	}
	want := []classify.Origin{
		{Test: "TestFetchAll", Func: "example.com/m.TestFetchAll", Count: 2},
		// A subtest of TestFetchOne: its function is a closure.
		{Test: "TestFetchOne", Func: "example.com/m.TestFetchOne.func2", Count: 1},
	}
	if diff := cmp.Diff(want, originsByID(classify.Compare([]*parse.Snapshot{s}, nil))[30]); diff != "" {
		t.Errorf("origins (-want +got):\n%s", diff)
	}
}
