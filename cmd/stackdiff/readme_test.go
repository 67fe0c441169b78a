package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reReadmeExample finds a "$ stackdiff ..." line opening a fenced block of
// the README, and the output shown under it.
var reReadmeExample = regexp.MustCompile("(?m)^```\n\\$ stackdiff (.*)\n((?:[^`].*\n|\n)*)```")

// TestReadmeExamples runs the README's examples from the repository root:
// the lines it shows must be the first lines the tool prints (a "..." line
// cuts the rest), so the README cannot drift from the tool.
func TestReadmeExamples(t *testing.T) {
	t.Chdir("../..")
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := reReadmeExample.FindAllStringSubmatch(string(b), -1)
	if len(examples) < 2 {
		t.Fatalf("found %d examples in the README, want at least 2", len(examples))
	}
	for _, m := range examples {
		cmdline, shown := m[1], m[2]
		cut := false
		if i := strings.Index(shown, "\n...\n"); i >= 0 {
			shown, cut = shown[:i+1], true
		} else if strings.HasPrefix(shown, "...\n") {
			shown, cut = "", true
		}
		var stdout, stderr bytes.Buffer
		run(strings.Fields(cmdline), nil, &stdout, &stderr)
		got := stdout.String()
		if cut {
			got = strings.Join(strings.SplitAfter(got, "\n")[:strings.Count(shown, "\n")], "")
		}
		if diff := cmp.Diff(shown, got); diff != "" {
			t.Errorf("stackdiff %s: the README shows (-) what the tool does not print (+):\n%s", cmdline, diff)
		}
	}
}
