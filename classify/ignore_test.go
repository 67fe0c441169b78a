package classify_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

func TestFuncMatches(t *testing.T) {
	const fn = "net/http.(*persistConn).readLoop"
	for name, want := range map[string]bool{
		fn:                             true,
		"http.(*persistConn).readLoop": true, // as the SITE column prints it
		"(*persistConn).readLoop":      true,
		"readLoop":                     true,
		"Loop":                         false, // not at a name boundary
		"net/http.(*persistConn)":      false, // a prefix is not the function
		"":                             false,
		"http.readLoop":                false,
	} {
		if got := classify.FuncMatches(fn, name); got != want {
			t.Errorf("FuncMatches(%q, %q) = %v, want %v", fn, name, got, want)
		}
	}
}

// readSample reads samples/dumps/DIR/NAME, a real dump of a scenario.
func readSample(t *testing.T, dir, name string) *parse.Snapshot {
	t.Helper()
	f, err := os.Open("../samples/dumps/" + dir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := parse.Read(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readPair(t *testing.T, dir string) []*parse.Snapshot {
	t.Helper()
	return []*parse.Snapshot{readSample(t, dir, "before.txt"), readSample(t, dir, "after.txt")}
}

// verdicts returns "label verdict" per group with new goroutines.
func verdicts(r *classify.Report) map[classify.Label]classify.Verdict {
	m := map[classify.Label]classify.Verdict{}
	for _, g := range r.Groups {
		if g.New > 0 {
			m[g.Label] = g.Verdict
		}
	}
	return m
}

// TestIgnoreNames: every spelling of the read loop a person may copy
// from a report ignores the unclosed bodies, and counts as used.
func TestIgnoreNames(t *testing.T) {
	snaps := readPair(t, "http-body-not-closed")
	plain := classify.Compare(snaps, nil)
	if got := verdicts(plain)[classify.HTTPBodyNotClosed]; got != classify.Leak {
		t.Fatalf("without ignore: http-body-not-closed is %q, want leak", got)
	}
	for _, ig := range []classify.Ignore{
		classify.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		classify.IgnoreAnyFunction("http.(*persistConn).readLoop"),
		classify.IgnoreAnyFunction("readLoop"),
	} {
		r := classify.Compare(snaps, &classify.Options{Ignore: []classify.Ignore{ig, classify.IgnoreAnyFunction("noSuchFunc")}})
		if got := verdicts(r)[classify.HTTPBodyNotClosed]; got != classify.OK {
			t.Errorf("%s: http-body-not-closed is %q, want ok", ig.What, got)
		}
		if r.IgnoreHits[0] == 0 || r.IgnoreHits[1] != 0 {
			t.Errorf("%s: IgnoreHits = %v, want [>0 0]", ig.What, r.IgnoreHits)
		}
	}
}

// TestCustomRuleWithoutClass: a rule that does not say its class is
// Unknown, which makes new goroutines suspects, never leaks by itself.
func TestCustomRuleWithoutClass(t *testing.T) {
	snaps := readPair(t, "unbuffered-send")
	if got := verdicts(classify.Compare(snaps, nil))[classify.ChanSend]; got != classify.Leak {
		t.Fatalf("default rules: chan-send is %q, want leak", got)
	}
	mine := classify.Rule{Label: "my-sender", Match: classify.StateIs("chan send")}
	rules := append([]classify.Rule{mine}, classify.DefaultRules()...)
	r := classify.Compare(snaps, &classify.Options{Rules: rules})
	if got := verdicts(r)["my-sender"]; got != classify.Suspect {
		t.Errorf("custom rule without class: verdict %q, want suspect", got)
	}
	for _, g := range r.Groups {
		if g.Label == "my-sender" && g.Class != classify.Unknown {
			t.Errorf("custom rule without class: class %v, want Unknown", g.Class)
		}
	}
	// With a class, reason and fix, the rule speaks for its label.
	mine.Class, mine.Reason, mine.Fix = classify.Blocking, "my reason", "my fix"
	r = classify.Compare(snaps, &classify.Options{Rules: append([]classify.Rule{mine}, classify.DefaultRules()...)})
	for _, g := range r.Groups {
		if g.Label == "my-sender" && g.New > 0 {
			if diff := cmp.Diff([]string{"leak", "my reason", "my fix"}, []string{string(g.Verdict), g.Reason, g.Fix}); diff != "" {
				t.Errorf("custom rule with class (-want +got):\n%s", diff)
			}
		}
	}
}

// TestDefaultRulesIsACopy: changing what DefaultRules returned changes
// nobody else's rules.
func TestDefaultRulesIsACopy(t *testing.T) {
	a := classify.DefaultRules()
	a[0].Label, a[0].Class = "changed", classify.Unknown
	b := classify.DefaultRules()
	if b[0].Label == "changed" || b[0].Class == classify.Unknown {
		t.Errorf("DefaultRules()[0] = %v after a caller changed its copy", b[0].Label)
	}
	for _, r := range b {
		if r.Class == classify.Unknown || r.Reason == "" || r.Fix == "" {
			t.Errorf("default rule %s lacks a class, reason or fix", r.Label)
		}
	}
}

// TestIgnoredRanksLast: in a single dump, an ignored group ranks after
// every group worth reading, however crowded or long its wait.
func TestIgnoredRanksLast(t *testing.T) {
	snap := readSample(t, "blocked-forever", "after.txt")
	r := classify.Compare([]*parse.Snapshot{snap}, &classify.Options{Ignore: []classify.Ignore{classify.IgnoreAnyFunction("awaitReply")}})
	seenIgnored := false
	for i, g := range r.Groups {
		switch {
		case g.Ignored != "":
			seenIgnored = true
			if g.Suspicion != 0 {
				t.Errorf("ignored group ranked %d with suspicion %d", i+1, g.Suspicion)
			}
		case seenIgnored && g.Suspicion > 0:
			t.Errorf("%s (suspicion %d) ranks after the ignored group", g.Label, g.Suspicion)
		}
	}
	if !seenIgnored {
		t.Fatal("no group was ignored")
	}
}

// TestIgnoreTopIsTheSite: "top:" takes the name the SITE column prints,
// past the standard library's locking frames.
func TestIgnoreTopIsTheSite(t *testing.T) {
	snaps := readPair(t, "mutex-deadlock")
	r := classify.Compare(snaps, &classify.Options{Ignore: []classify.Ignore{classify.IgnoreTopFunction("transfer")}})
	if got := verdicts(r)[classify.MutexLock]; got != classify.OK || r.IgnoreHits[0] == 0 {
		t.Errorf("top:transfer: mutex-lock is %q, %d hits; want ok, ignored", got, r.IgnoreHits[0])
	}
}
