package report

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// TestHungTestMissing: a test timeout names the running tests; when the
// dump holds no goroutine running one (cut off before it), the report says
// so instead of staying silent about the test.
func TestHungTestMissing(t *testing.T) {
	b, err := os.ReadFile("../../parse/testdata/generated/go_test_timeout_panic.txt")
	if err != nil {
		t.Fatal(err)
	}
	whole := string(b)
	cut := whole[:strings.Index(whole, "\ngoroutine 7 ")+1]
	for _, tc := range []struct {
		dump string
		want bool
	}{{whole, false}, {cut, true}} {
		s, err := parse.Read(strings.NewReader(tc.dump), "timeout")
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Text(&out, classify.Compare([]*parse.Snapshot{s}, nil), Options{}); err != nil {
			t.Fatal(err)
		}
		says := strings.Contains(out.String(), "TestPutHangs was running: no goroutine of the dump runs it")
		if says != tc.want {
			t.Errorf("dump of %d bytes: says the test is missing = %v, want %v:\n%s", len(tc.dump), says, tc.want, out.String())
		}
	}
}
