package report

import "testing"

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
