package parse_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/parse"
)

// A header whose labels are damaged keeps its goroutine and says so; a
// line that starts like a header and cannot be read is named in a warning.
// The inputs are the Go 1.27 dump with one header changed by code.
func TestDamagedLabelledHeaders(t *testing.T) {
	orig := readTestdata(t, "go127/stack_labels.txt")
	header := []byte(`goroutine 20 [chan receive] {endpoint: /api/export, tenant: acme}:`)
	if !bytes.Contains(orig, header) {
		t.Fatalf("the dump has no line %s", header)
	}
	tests := []struct {
		name, line string
		count      int
		warning    string
	}{
		{"unterminated quote", `goroutine 20 [chan receive] {endpoint: "/api/export, tenant: acme}:`, 19,
			`goroutine 20: could not read its labels`},
		{"junk after the labels", `goroutine 20 [chan receive] {endpoint: /api/export, tenant: acme}: and more`, 18,
			`skipped a goroutine header that could not be read: "goroutine 20 [chan receive] {endpoint`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Replace(orig, header, []byte(tc.line), 1)
			s := readOneBytes(t, in)
			if s.Count() != tc.count {
				t.Errorf("%d goroutines, want %d", s.Count(), tc.count)
			}
			if !strings.Contains(strings.Join(s.Warnings, "\n"), tc.warning) {
				t.Errorf("warnings %q, want one with %q", s.Warnings, tc.warning)
			}
		})
	}
}

// readOneBytes reads an input that holds exactly one snapshot.
func readOneBytes(t *testing.T, in []byte) *parse.Snapshot {
	t.Helper()
	snaps, err := parse.ReadAll(bytes.NewReader(in), "in")
	if err != nil || len(snaps) != 1 {
		t.Fatalf("ReadAll: %d snapshots, %v", len(snaps), err)
	}
	return snaps[0]
}
