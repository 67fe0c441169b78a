package safetext

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"main.main", "main.main"},
		{"net/http.(*persistConn).readLoop\tx", "net/http.(*persistConn).readLoop\tx"},
		{"héllo → wörld", "héllo → wörld"},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\atitle`},
		{"clear\x1b[2Jscreen", `clear\x1b[2Jscreen`},
		{"back\bspace\rline\nnext", `back\bspace\rline\nnext`},
		{"del\x7f c1\u0085\u009b", `del\x7f c1\u0085\u009b`},
		{"latin1 \xe9 byte", `latin1 \xe9 byte`},
		{"bidi \u202e txt \u2066x\u2069", `bidi \u202e txt \u2066x\u2069`},
		{"sep\u2028x", `sep\u2028x`},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"dial http://bob:hunter2@10.0.0.1:8080: refused":     "dial http://bob:xxxxx@10.0.0.1:8080: refused",
		"get https://u:p@a/x and postgres://me:pw@db/x fail": "get https://u:xxxxx@a/x and postgres://me:xxxxx@db/x fail",
		"/src/http://admin:Sup3rSecret@nas/main.go":          "/src/http://admin:xxxxx@nas/main.go",
		"http://admin:1234@nas/":                             "http://admin:xxxxx@nas/",
		"http://db.local:5432@prod/":                         "http://db.local:xxxxx@prod/",
		"http://user@host/ has no password":                  "http://user@host/ has no password",
		"no url here: a:b@c":                                 "no url here: a:b@c",
		"http://host:8080/path":                              "http://host:8080/path",
		// A fetch of a series: host, port and time offset, no userinfo.
		"http://127.0.0.1:7092@0s":                   "http://127.0.0.1:7092@0s",
		"http://localhost:7092@1.5s: 3 new":          "http://localhost:7092@1.5s: 3 new",
		"http://127.0.0.1:7092@2m30s vs x":           "http://127.0.0.1:7092@2m30s vs x",
		"http://127.0.0.1:7092@0s and http://a:b@c/": "http://127.0.0.1:7092@0s and http://a:xxxxx@c/",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCap(t *testing.T) {
	short := strings.Repeat("a", MaxString)
	if got := Cap(short); got != short {
		t.Errorf("Cap of a %d-byte string changed it", MaxString)
	}
	long := "start" + strings.Repeat("é", 50000) + "end"
	got := Cap(long)
	if !strings.HasPrefix(got, "start") || !strings.HasSuffix(got, "end") || !utf8.ValidString(got) {
		t.Errorf("Cap lost the start, the end or UTF-8: %.40q…%q", got, got[len(got)-40:])
	}
	if len(got) > MaxString {
		t.Errorf("Cap gave %d bytes, want at most %d", len(got), MaxString)
	}
	if again := Cap(got); again != got {
		t.Errorf("Cap cut a cut string again: the number it shows would be wrong")
	}
	head, rest, _ := strings.Cut(got, "…[")
	n, tail, _ := strings.Cut(rest, " bytes cut]…")
	if cut, err := strconv.Atoi(n); err != nil || len(head)+cut+len(tail) != len(long) {
		t.Errorf("Cap says %q bytes cut; kept %d+%d of %d", n, len(head), len(tail), len(long))
	}
}

// TestStringOrder: the password is hidden before the cut (a cut string
// could otherwise keep the password and lose the "@" that marks it), and
// an escape is never cut in two.
func TestStringOrder(t *testing.T) {
	s := "http://admin:" + strings.Repeat("S", MaxString) + "@nas/" + strings.Repeat("\x07", MaxString)
	got := String(s)
	if strings.Contains(got, "SSSS") || strings.ContainsRune(got, '\x07') {
		t.Errorf("String kept the password or a BEL: %.100q", got)
	}
	if !strings.HasSuffix(got, `\a\a`) {
		t.Errorf("String cut an escape in two: …%q", got[len(got)-10:])
	}
}

func TestCell(t *testing.T) {
	if got := Cell("a\tb"); got != `a\tb` {
		t.Errorf("Cell kept a tab: %q", got)
	}
	long := "github.com/acme/" + strings.Repeat("x", 100000) + ".handle file.go:12"
	got := Cell(long)
	if n := utf8.RuneCountInString(got); n != MaxCell {
		t.Errorf("Cell is %d characters, want %d", n, MaxCell)
	}
	if !strings.HasPrefix(got, "github.com/acme/") || !strings.HasSuffix(got, "file.go:12") {
		t.Errorf("Cell lost the start or the end: %q", got)
	}
}

func TestWalk(t *testing.T) {
	type inner struct{ Func string }
	type doc struct {
		Name    string
		List    []string
		Ptr     *inner
		Any     any
		AnyVal  any
		Map     map[string][]string
		Markup  template.HTML
		Message string `safetext:"lines"`
		private string
	}
	const bad = "http://admin:pw@nas/\x1b[2J\u202e"
	const good = `http://admin:xxxxx@nas/\x1b[2J\u202e`
	shared := &inner{Func: bad}
	d := doc{Name: bad, List: []string{bad, "ok"}, Ptr: shared, Any: shared, AnyVal: inner{Func: bad},
		Map: map[string][]string{bad: {bad}}, Markup: template.HTML("<b>\n</b>"), Message: bad + "\n" + bad, private: bad}
	Walk(&d)
	want := doc{Name: good, List: []string{good, "ok"}, Ptr: &inner{Func: good}, Any: &inner{Func: good}, AnyVal: inner{Func: good},
		Map: map[string][]string{good: {good}}, Markup: template.HTML("<b>\n</b>"), Message: good + "\n" + good, private: bad}
	if diff := cmp.Diff(want, d, cmp.AllowUnexported(doc{})); diff != "" {
		t.Errorf("Walk mismatch (-want +got):\n%s", diff)
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	for _, part := range []string{"\x1b[1;31mleak\x1b[0m http://u:p", "w@h/ \x07\x1b]0;t\n", "x\u202e", "y\tz"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\x1b[1;31mleak\x1b[0m http://u:xxxxx@h/ \\a\\x1b]0;t\nx\\u202ey\tz"
	if got := b.String(); got != want {
		t.Errorf("Writer wrote %q, want %q", got, want)
	}
}

// TestStringTwice: a string gated twice (a frame's text, then the page it
// is in) is the string gated once, so the number of bytes a cut shows
// stays true; whatever the escapes at the cut.
func TestStringTwice(t *testing.T) {
	for _, c := range []string{"\a", "\u202e", "\U0010ffff", "x", "é", "\\", "\xff"} {
		for pad := range 12 {
			s := strings.Repeat("y", pad) + strings.Repeat(c, 3000) + strings.Repeat("z", pad)
			once := String(s)
			if twice := String(once); twice != once {
				t.Errorf("String of %d × %q (pad %d) changes when gated again:\n%q\n%q", 3000, c, pad, once[490:560], twice[490:560])
			}
			if len(once) > MaxString {
				t.Errorf("String of %d × %q gave %d bytes", 3000, c, len(once))
			}
			if !utf8.ValidString(once) && c != "\xff" {
				t.Errorf("String of %d × %q is not UTF-8", 3000, c)
			}
		}
	}
}

// TestWalkKeysThatGateAlike: map keys that gate to one string (two
// passwords redacted alike, a BEL and its escape written out) all stay,
// the later ones numbered, the same on every run.
func TestWalkKeysThatGateAlike(t *testing.T) {
	for range 20 { // map order is random: the numbering must not be
		m := map[string]string{
			"http://u:one@h/": "1",
			"http://u:two@h/": "2",
			"a\x07":           "bel",
			`a\a`:             "text",
		}
		Walk(&m)
		want := map[string]string{
			"http://u:xxxxx@h/":    "1",
			"http://u:xxxxx@h/ #2": "2",
			`a\a`:                  "bel",
			`a\a #2`:               "text",
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Fatalf("Walk mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestWalkManyKeysThatGateAlike: thousands of keys that gate to one string
// all stay, numbered, each found its number in one probe or so.
func TestWalkManyKeysThatGateAlike(t *testing.T) {
	m := map[string]int{}
	for i := range 5000 {
		m[fmt.Sprintf("http://u:p%d@h/", i)] = i
	}
	Walk(&m)
	if len(m) != 5000 {
		t.Errorf("%d keys after Walk, want 5000", len(m))
	}
	if _, ok := m["http://u:xxxxx@h/ #5000"]; !ok {
		t.Error("the 5000th key is not numbered #5000")
	}
}
