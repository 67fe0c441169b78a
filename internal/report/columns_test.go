package report

import (
	"strings"
	"testing"
)

func TestColumnNames(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"dumps/before.txt", "dumps/after.txt"}, []string{"before.txt", "after.txt"}},
		{[]string{"a/after.txt", "b/after.txt"}, []string{"a/after.txt", "b/after.txt"}},
		{[]string{"x/a/after.txt", "y/a/after.txt"}, []string{"x/a/after.txt", "y/a/after.txt"}},
		{[]string{"d/after.txt", "d/after.txt"}, []string{"after.txt", "after.txt"}},
	} {
		if got := columnNames(tc.in); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("columnNames(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
