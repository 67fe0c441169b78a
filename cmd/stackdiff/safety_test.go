package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/internal/term"
)

// TestPasswordsNeverPrinted: a URL's password reaches neither the report
// (text, JSON, HTML) nor an error.
func TestPasswordsNeverPrinted(t *testing.T) {
	srv := pprofServer(t)
	const secret = "s3cr3t-pw"
	withPW := strings.Replace(srv.URL, "http://", "http://admin:"+secret+"@", 1)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"text", []string{withPW + "/debug/pprof/goroutine?debug=2"}},
		{"json", []string{"--json", withPW + "/debug/pprof/goroutine?debug=2"}},
		{"html", []string{"-q", "--html", filepath.Join(dir, "r.html"), withPW + "/debug/pprof/goroutine?debug=2"}},
		{"404", []string{withPW + "/nothing"}},
		{"series", []string{"--interval", "1ms", withPW}},
		{"unparsable", []string{"http://admin:" + secret + "@127.0.0.1:1/%zz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			run(tc.args, nil, &stdout, &stderr)
			html, _ := os.ReadFile(filepath.Join(dir, "r.html"))
			for what, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "html": string(html)} {
				if strings.Contains(text, secret) {
					t.Errorf("%s shows the password:\n%.1000s", what, text)
				}
			}
			if stdout.Len()+stderr.Len()+len(html) == 0 {
				t.Error("no output at all: the test proves nothing")
			}
		})
	}
}

// TestControlCharactersEscapedInErrors: an HTTP error body or a file name
// with terminal escapes is printed escaped.
func TestControlCharactersEscapedInErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "\x1b]0;owned\x07\x1b[2Jgone", http.StatusInternalServerError)
	}))
	defer srv.Close()
	dir := t.TempDir()
	evil := filepath.Join(dir, "evil\x1b[31mname.txt")
	for _, args := range [][]string{{srv.URL}, {evil}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != exitTrouble {
			t.Errorf("%q: exit %d, want %d", args, code, exitTrouble)
		}
		if strings.ContainsAny(stderr.String(), "\x1b\x07") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%q: stderr is not one escaped line: %q", args, stderr.String())
		}
		if !strings.Contains(stderr.String(), `\x1b`) {
			t.Errorf("%q: stderr does not show the escape as \\x1b: %q", args, stderr.String())
		}
	}
}

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--version"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(stdout.String(), "stackdiff ") || strings.Count(stdout.String(), "\n") != 1 || stderr.Len() != 0 {
		t.Errorf("--version printed %q, %q; want one line naming the version", stdout.String(), stderr.String())
	}
}

// TestNotATerminal: /dev/null is a character device, not a terminal: with
// no arguments it is read (and found empty), not answered with the usage.
func TestNotATerminal(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if term.IsTerminal(f) {
		t.Fatalf("%s is taken for a terminal", os.DevNull)
	}
	var stdout, stderr bytes.Buffer
	if code := run(nil, f, &stdout, &stderr); code != exitTrouble || !strings.Contains(stderr.String(), "no goroutine dump found") {
		t.Errorf("exit %d, stderr %q; want the empty-input error", code, stderr.String())
	}
}

func TestHints(t *testing.T) {
	dumps := "../../samples/dumps/unbuffered-send/"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{dumps + "before.txt", dumps + "after.txt"}, ""},
		{[]string{dumps + "after.txt", dumps + "before.txt"}, "stackdiff: hint: " + dumps + "before.txt looks older than " + dumps + "after.txt"},
		{[]string{dumps + "after.txt", dumps + "after.txt"}, "stackdiff: hint: " + dumps + "after.txt and " + dumps + "after.txt are the same file"},
		// Two runs of the scenarios program share goroutine 1 only.
		{[]string{"../../samples/dumps/mutex-deadlock/after.txt", "../../samples/dumps/http-body-not-closed/after.txt"},
			"stackdiff: hint: ../../samples/dumps/mutex-deadlock/after.txt and ../../samples/dumps/http-body-not-closed/after.txt share no goroutine but main and the runtime's"},
		// Profiles have no IDs, but record when they were taken.
		{[]string{"../../samples/servers/caddy/idle.pb.gz", "../../samples/servers/caddy/load.pb.gz"}, ""},
		{[]string{"../../samples/servers/caddy/load.pb.gz", "../../samples/servers/caddy/idle.pb.gz"},
			"stackdiff: hint: ../../samples/servers/caddy/idle.pb.gz was taken before ../../samples/servers/caddy/load.pb.gz ("},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		run(tt.args, nil, &stdout, &stderr)
		got := stderr.String()
		if tt.want == "" {
			if diff := cmp.Diff("", got); diff != "" {
				t.Errorf("%q: unexpected stderr (-want +got):\n%s", tt.args, diff)
			}
			continue
		}
		if !strings.HasPrefix(got, tt.want) || strings.Count(got, "\n") != 1 {
			t.Errorf("%q: stderr = %q, want one line starting %q", tt.args, got, tt.want)
		}
	}
}

// TestControlCharactersEscapedInReport: a dump whose function names, file
// names and wait state carry terminal escapes is reported with them escaped,
// in every text form; JSON escapes them by itself.
func TestControlCharactersEscapedInReport(t *testing.T) {
	dump, err := os.ReadFile("../../samples/dumps/unbuffered-send/after.txt")
	if err != nil {
		t.Fatal(err)
	}
	evil := strings.NewReplacer(
		"scenarios.fetchWithTimeout", "scenarios.fetch\x1b]0;owned\x07WithTimeout",
		"chan.go", "ch\x1b[2Jan.go",
		"[chan send]", "[chan\x08\x08send]",
	).Replace(string(dump))
	if evil == string(dump) {
		t.Fatal("the sample dump changed: the replacements no longer apply")
	}
	path := filepath.Join(t.TempDir(), "evil\x1b[31m.txt")
	if err := os.WriteFile(path, []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--all", "--frames", "20", path}, {"--lines", "../../samples/dumps/unbuffered-send/before.txt", path}, {"--json", path}} {
		var stdout, stderr bytes.Buffer
		run(args, nil, &stdout, &stderr)
		if stdout.Len() == 0 {
			t.Errorf("%q: no output", args)
		}
		for what, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			if strings.ContainsAny(text, "\x1b\x07\x08") {
				t.Errorf("%q: %s holds raw control characters:\n%q", args, what, text)
			}
		}
	}
}

// TestDumpTextScrubbed: a panic message is the program's own text; it may
// carry a URL with its password and terminal escapes. Neither reaches the
// text report, the JSON or the HTML file.
func TestDumpTextScrubbed(t *testing.T) {
	dump, err := os.ReadFile("../../parse/testdata/generated/panic_send_on_closed_channel.txt")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "hunter2"
	evil := strings.Replace(string(dump), "panic: send on closed channel",
		"panic: dial http://bob:"+secret+"@10.0.0.1:8080/x: refused \x1b]0;owned\x07\x1b[2J", 1)
	if evil == string(dump) {
		t.Fatal("the corpus dump changed: the replacement no longer applies")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "panic.txt")
	if err := os.WriteFile(path, []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(dir, "r.html")
	for _, args := range [][]string{{path}, {"--json", path}, {"-q", "--html", html, path}} {
		var stdout, stderr bytes.Buffer
		run(args, nil, &stdout, &stderr)
		page, _ := os.ReadFile(html)
		for what, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "html": string(page)} {
			if strings.Contains(text, secret) {
				t.Errorf("%q: %s shows the password", args, what)
			}
			if strings.ContainsAny(text, "\x1b\x07") {
				t.Errorf("%q: %s holds raw control characters", args, what)
			}
		}
		if !strings.Contains(stdout.String()+string(page), "bob:xxxxx@10.0.0.1") {
			t.Errorf("%q: the message is not shown with its password hidden", args)
		}
	}
}
