package report

import (
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"main.main", "main.main"},
		{"net/http.(*persistConn).readLoop\tx", "net/http.(*persistConn).readLoop\tx"},
		{"héllo → wörld", "héllo → wörld"},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\atitle`},
		{"clear\x1b[2Jscreen", `clear\x1b[2Jscreen`},
		{"back\bspace\rline\nnext", `back\bspace\rline\nnext`},
		{"del\x7f c1\u009b", `del\x7f c1\u009b`},
		{"latin1 \xe9 byte", `latin1 \xe9 byte`},
		{"bidi \u202e txt", `bidi \u202e txt`},
	}
	for _, tt := range tests {
		if got := Printable(tt.in); got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"dial http://bob:hunter2@10.0.0.1:8080: refused":     "dial http://bob:xxxxx@10.0.0.1:8080: refused",
		"get https://u:p@a/x and postgres://me:pw@db/x fail": "get https://u:xxxxx@a/x and postgres://me:xxxxx@db/x fail",
		"http://user@host/ has no password":                  "http://user@host/ has no password",
		"no url here: a:b@c":                                 "no url here: a:b@c",
		"http://host:8080/path":                              "http://host:8080/path",
	} {
		if got := Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

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
