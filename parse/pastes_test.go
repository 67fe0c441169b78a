package parse_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/parse"
)

// Real dumps pasted into issue threads lose or change a few things on the
// way: these tests take a corpus dump and change it as pastes do.

// readPaste reads a changed dump, which must give one snapshot.
func readPaste(t *testing.T, in string) *parse.Snapshot {
	t.Helper()
	snaps, err := parse.ReadAll(strings.NewReader(in), "paste")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 {
		t.Fatalf("%d snapshots, want 1", len(snaps))
	}
	return snaps[0]
}

// sameGroups compares the groups of two snapshots.
func sameGroups(t *testing.T, want, got *parse.Snapshot) {
	t.Helper()
	if diff := cmp.Diff(want.Groups, got.Groups); diff != "" {
		t.Errorf("groups differ (-original +paste):\n%s", diff)
	}
}

func TestDebug1Pastes(t *testing.T) {
	const name = "generated/pprof_goroutine_debug1.txt"
	dump := string(readTestdata(t, name))
	want := readOne(t, name)
	header, body, _ := strings.Cut(dump, "\n")
	if !strings.HasPrefix(header, "goroutine profile: total") {
		t.Fatalf("first line %q", header)
	}
	note := "\nThis is the one that leaks, I think:\n\n"
	i := strings.Index(body, "\n\n1 @ ") + 1 // between the first two records
	for paste, in := range map[string]string{
		"no header line":       body,
		"spaces for tabs":      strings.ReplaceAll(dump, "\t", "    "),
		"one space for tabs":   strings.ReplaceAll(dump, "\t", " "),
		"a note between":       dump[:len(header)+1+i] + note + dump[len(header)+1+i:],
		"a note, no header":    body[:i] + note + body[i:],
		"CRLF, spaces, a note": strings.ReplaceAll(strings.ReplaceAll(body[:i]+note+body[i:], "\t", "  "), "\n", "\r\n"),
	} {
		t.Run(paste, func(t *testing.T) {
			s := readPaste(t, in)
			if s.Format != parse.FormatDebug1 || s.Count() != 25 {
				t.Errorf("format %s, %d goroutines; want %s, 25", s.Format, s.Count(), parse.FormatDebug1)
			}
			sameGroups(t, want, s)
			if len(s.Warnings) != 0 {
				t.Errorf("warnings %q", s.Warnings)
			}
		})
	}
}

// TestDebug1Lost: what cannot be read is said.
func TestDebug1Lost(t *testing.T) {
	dump := string(readTestdata(t, "generated/pprof_goroutine_debug1.txt"))
	// A record whose frame lines were lost.
	frames := regexp.MustCompile(`(?m)^(2 @ 0x44f5f4 .*\n)#.*\n`)
	s := readPaste(t, frames.ReplaceAllString(dump, "$1"))
	if s.Count() != 25 || !strings.Contains(strings.Join(s.Warnings, "\n"), "a record of 2 goroutines has no frames") {
		t.Errorf("%d goroutines, warnings %q; want 25 and a record without frames", s.Count(), s.Warnings)
	}
	// Frame lines after a note in the middle of a record.
	in := strings.Replace(dump, "\n#\t0x4e14e4", "\n(see below)\n#\t0x4e14e4", 1)
	s = readPaste(t, in)
	if w := strings.Join(s.Warnings, "\n"); !strings.Contains(w, "skipped 5 frame lines outside any record") {
		t.Errorf("warnings %q, want the frame lines after the note", w)
	}
	// A record cut off: the total says so.
	cut := strings.Index(dump, "\n\n1 @ 0x4847ce")
	s = readPaste(t, dump[:cut])
	if w := strings.Join(s.Warnings, "\n"); !strings.Contains(w, "the profile says total 25; its records hold 3") {
		t.Errorf("warnings %q, want the total", w)
	}
}

// wrapArgs moves the arguments after the first ", " of every function line
// onto a line of their own, indented by indent, as a paste that wraps long
// lines does.
func wrapArgs(dump, indent string) (string, int) {
	lines := strings.Split(dump, "\n")
	n := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "\t") || !strings.HasSuffix(l, ")") || strings.HasPrefix(l, "created by") {
			continue
		}
		if j := strings.Index(l, ", "); j > 0 && strings.Contains(l[:j], "(") {
			lines[i] = l[:j+1] + "\n" + indent + l[j+2:]
			n++
		}
	}
	return strings.Join(lines, "\n"), n
}

func TestWrappedArgs(t *testing.T) {
	for _, name := range []string{
		"generated/stack_mixed_states.txt",
		"generated/sigquit_gotraceback_all.txt",
		"public/panicparse_static_panicweb_pprof_debug2.txt",
	} {
		want := readOne(t, name)
		for _, indent := range []string{"", "    "} {
			in, n := wrapArgs(string(readTestdata(t, name)), indent)
			if n < 3 {
				t.Fatalf("%s: only %d lines wrapped", name, n)
			}
			s := readPaste(t, in)
			sameGroups(t, want, s)
			if diff := cmp.Diff(want.Warnings, s.Warnings); diff != "" {
				t.Errorf("%s wrapped with %q: warnings differ:\n%s", name, indent, diff)
			}
		}
	}
}

// TestCutOff: a dump cut anywhere in its last goroutine keeps what was
// read, and says the goroutine was cut, but where nothing tells: at the end
// of a line, after a whole frame; and inside the PC offset of the last line
// ("created by"'s file line), where only the final newline is missing and
// nothing of use is lost.
func TestCutOff(t *testing.T) {
	const name = "generated/stack_mixed_states.txt"
	dump := string(readTestdata(t, name))
	last := strings.LastIndex(dump, "\ngoroutine ") + 1
	id := dump[last+len("goroutine ") : last+strings.Index(dump[last:], " [")]
	firstFrame := last + strings.Index(dump[last:], " +0x")
	lastOffset := strings.LastIndex(dump, " +0x") + len(" +0x")
	lines := strings.Split(strings.TrimSuffix(dump, "\n"), "\n")
	if !strings.HasPrefix(lines[len(lines)-2], "created by") {
		t.Fatal("the last goroutine of the dump does not end with its created by line")
	}
	// Only the final newline missing: the dump is whole.
	if s := readPaste(t, strings.TrimSuffix(dump, "\n")); len(s.Warnings) != 0 || s.Cut {
		t.Errorf("without its final newline: warnings %q, Cut %v; want none", s.Warnings, s.Cut)
	}
	for cut := last + 1; cut < len(dump)-1; cut++ {
		if cut > firstFrame && dump[cut-1] == '\n' || cut > lastOffset {
			continue
		}
		s := readPaste(t, dump[:cut])
		if s.Count() < 25 {
			t.Fatalf("cut at %d: %d goroutines", cut, s.Count())
		}
		w := strings.Join(s.Warnings, "\n")
		if !strings.Contains(w, "goroutine "+id) && !strings.Contains(w, "the dump may be cut off") {
			t.Errorf("cut at %d (%q): warnings %q, none about goroutine %s", cut, dump[cut-10:cut], w, id)
		}
	}
}

// TestTextPastes: runtime.Stack, SIGQUIT and debug=2 dumps as pastes
// change them: in a Markdown fence, quoted, indented as a code block, their
// tabs turned into spaces, their indentation lost altogether (some chat
// and ticket tools strip leading whitespace), or every line coloured by a
// log viewer. Every form reads as the original.
func TestTextPastes(t *testing.T) {
	for _, name := range []string{
		"generated/stack_mixed_states.txt",
		"generated/sigquit_gotraceback_all.txt",
		"public/panicparse_static_panicweb_pprof_debug2.txt",
		"generated/go_test_timeout_panic.txt",
	} {
		dump := string(readTestdata(t, name))
		want := readOne(t, name)
		each := func(f func(string) string) string {
			lines := strings.Split(strings.TrimSuffix(dump, "\n"), "\n")
			for i, l := range lines {
				lines[i] = f(l)
			}
			return strings.Join(lines, "\n") + "\n"
		}
		for paste, in := range map[string]string{
			"fenced":             "```\n" + dump + "```\n",
			"quoted":             each(func(l string) string { return "> " + l }),
			"code block":         each(func(l string) string { return "    " + l }),
			"tabs to spaces":     strings.ReplaceAll(dump, "\t", "    "),
			"indentation lost":   each(func(l string) string { return strings.TrimLeft(l, " \t") }),
			"coloured":           each(func(l string) string { return "\x1b[31m" + l + "\x1b[0m" }),
			"lost, CRLF, fenced": "```\r\n" + strings.ReplaceAll(each(func(l string) string { return strings.TrimLeft(l, " \t") }), "\n", "\r\n") + "```\r\n",
		} {
			t.Run(name+"/"+paste, func(t *testing.T) {
				s := readPaste(t, in)
				sameGroups(t, want, s)
				if diff := cmp.Diff(want.Warnings, s.Warnings); diff != "" {
					t.Errorf("warnings differ (-original +paste):\n%s", diff)
				}
				if diff := cmp.Diff(want.Event, s.Event); diff != "" {
					t.Errorf("event differs (-original +paste):\n%s", diff)
				}
			})
		}
	}
}

// TestProfileMatchesText: the protobuf profile names a generic function
// with its shape ("Drain[go.shape.string]"), the text formats with
// "[...]": the same goroutines must read as the same groups, or a diff of
// "/debug/pprof/goroutine" against "?debug=2" of one moment shows a leak.
func TestProfileMatchesText(t *testing.T) {
	funcs := func(s *parse.Snapshot) map[string]bool {
		m := map[string]bool{}
		for _, g := range s.Groups {
			for _, f := range g.Frames {
				m[f.Func] = true
			}
		}
		return m
	}
	proto := funcs(readOne(t, "generated/pprof_goroutine_debug0.pb.gz"))
	for fn := range funcs(readOne(t, "generated/pprof_goroutine_debug2.txt")) {
		if strings.Contains(fn, "[") && !proto[fn] {
			t.Errorf("%s of the text dump is not in the profile", fn)
		}
	}
}

// TestLogLinesInsideStacks: while the runtime prints a SIGQUIT dump, other
// threads go on logging to the same stderr, and their lines land inside
// stacks. Each is skipped with a warning; the stacks read as the original.
func TestLogLinesInsideStacks(t *testing.T) {
	for _, tc := range []struct{ name, log string }{
		{"generated/stack_mixed_states.txt", "2024-05-01T10:00:00Z INFO request served"},
		{"generated/sigquit_gotraceback_all.txt", "2024-05-01T10:00:00Z INFO request served"},
		// glog/klog lines name a source file and line, as a file line does
		{"generated/stack_mixed_states.txt", "E0501 10:00:00.000000 1 server.go:12] request failed"},
	} {
		name := tc.name
		want := readOne(t, name)
		lines := strings.SplitAfter(string(readTestdata(t, name)), "\n")
		var b strings.Builder
		inside := 0
		for i, l := range lines {
			if i%7 == 6 {
				b.WriteString(tc.log + "\n")
				if strings.HasPrefix(l, "\t") {
					inside++
				}
			}
			b.WriteString(l)
		}
		s := readPaste(t, b.String())
		sameGroups(t, want, s)
		skipped := strings.Count(strings.Join(s.Warnings, "\n"), "skipped a line inside its stack")
		if inside == 0 || skipped < inside {
			t.Errorf("%s: %d log lines inside stacks, %d warnings about them: %q", name, inside, skipped, s.Warnings)
		}
	}
}

// TestOldGoleakFormat: goleak before v1.2 printed the runtime's header line
// under each of its own "Goroutine N in state S, with F on top of the
// stack:" lines; CI logs add a timestamp to every line. Both read as the
// current format does.
func TestOldGoleakFormat(t *testing.T) {
	const name = "generated/goleak_verifynone_test_failure.txt"
	want := readOne(t, name)
	head := regexp.MustCompile(`(?m)^(\s*?)\[?\s?Goroutine (\d+) in state ([^,]+), with .* on top of the stack:\n`)
	old := head.ReplaceAllStringFunc(string(readTestdata(t, name)), func(m string) string {
		sub := head.FindStringSubmatch(m)
		return m + sub[1] + "goroutine " + sub[2] + " [" + sub[3] + "]:\n"
	})
	if strings.Count(old, "\n") < strings.Count(string(readTestdata(t, name)), "\n")+2 {
		t.Fatal("no header line was added: the test proves nothing")
	}
	stamped := regexp.MustCompile(`(?m)^`).ReplaceAllString(old, "2022-12-25T16:09:45.9555131Z ")
	for paste, in := range map[string]string{"old goleak": old, "old goleak, timestamps": stamped} {
		s := readPaste(t, in)
		if s.Format != parse.FormatGoleak || s.Event == nil || s.Event.Kind != parse.EventGoleak {
			t.Errorf("%s: format %s, event %+v; want a goleak failure", paste, s.Format, s.Event)
		}
		sameGroups(t, want, s)
	}
}

// TestCutAtLineEnd: a dump cut between two lines of a goroutine's stack,
// where no line is cut, still says so: every goroutine but main ends with
// its "created by" line.
func TestCutAtLineEnd(t *testing.T) {
	const name = "generated/stack_mixed_states.txt"
	dump := string(readTestdata(t, name))
	last := strings.LastIndex(dump, "\ncreated by ") // the last goroutine's
	s := readPaste(t, dump[:last+1])
	if !s.Cut || !strings.Contains(strings.Join(s.Warnings, "\n"), "ends before its \"created by\" line") {
		t.Errorf("cut before the last created by: Cut %v, warnings %q", s.Cut, s.Warnings)
	}
	// A crash dump whose register lines end it, without a final newline.
	crash := strings.TrimRight(string(readTestdata(t, "generated/sigquit_gotraceback_all.txt")), "\n")
	if !isRegisters(crash[strings.LastIndex(crash, "\n")+1:]) {
		t.Fatalf("the SIGQUIT dump does not end with a register line")
	}
	if s := readPaste(t, crash); s.Cut || len(s.Warnings) != 0 {
		t.Errorf("SIGQUIT dump without its final newline: Cut %v, warnings %q", s.Cut, s.Warnings)
	}
}

func isRegisters(line string) bool {
	f := strings.Fields(line)
	return len(f) == 2 && strings.HasPrefix(f[1], "0x")
}

// TestDebug1NotStarted: the pprof handler lists a goroutine that has not
// run yet as a record of one address and no frame line; it is no sign of
// a lost record.
func TestDebug1NotStarted(t *testing.T) {
	dump := string(readTestdata(t, "generated/pprof_goroutine_debug1.txt"))
	s := readPaste(t, strings.Replace(dump, "goroutine profile: total 25", "goroutine profile: total 26", 1)+"\n1 @ 0x491a81\n")
	if s.Count() != 26 || len(s.Warnings) != 0 {
		t.Errorf("%d goroutines, warnings %q; want 26 and none", s.Count(), s.Warnings)
	}
}
