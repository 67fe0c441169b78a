package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reReadmeExample finds a "$ stackdiff ..." line opening a fenced block of
// the README, and the output shown under it.
var reReadmeExample = regexp.MustCompile("(?m)^```\n\\$ stackdiff (.*)\n((?:[^`].*\n|\n)*)```")

// TestReadmeExamples runs the examples of the README and of docs/ from the
// repository root: the lines each shows must be the first lines the tool
// prints (a "..." line cuts the rest), so the docs cannot drift from the
// tool.
func TestReadmeExamples(t *testing.T) {
	t.Chdir("../..")
	docs, _ := filepath.Glob("docs/*.md")
	var examples [][]string
	for _, name := range append([]string{"README.md"}, docs...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		examples = append(examples, reReadmeExample.FindAllStringSubmatch(string(b), -1)...)
	}
	if len(examples) < 2 {
		t.Fatalf("found %d examples in the README and docs/, want at least 2", len(examples))
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
			t.Errorf("stackdiff %s: the docs show (-) what the tool does not print (+):\n%s", cmdline, diff)
		}
	}
}
