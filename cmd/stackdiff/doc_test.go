package main

import (
	"bytes"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reExample finds the "$ stackdiff ..." blocks of the package doc and the
// indented output after each.
var reExample = regexp.MustCompile(`(?m)^\t\$ stackdiff (.*)\n((?:\t.*\n|\n)*)`)

// TestDoc runs every example of the manual (doc.go) from the repository
// root and compares its output, so the manual cannot drift from the tool.
// With -update it rewrites the outputs in doc.go.
func TestDoc(t *testing.T) {
	docPath, err := filepath.Abs("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, docPath, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := doc.NewFromFiles(fset, []*ast.File{f}, "example.com/stackdiff")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..")
	examples := reExample.FindAllStringSubmatch(pkg.Doc, -1)
	if len(examples) < 3 {
		t.Fatalf("found %d examples in doc.go, want at least 3", len(examples))
	}
	text := string(src)
	for _, m := range examples {
		cmdline, want := m[1], dedent(m[2])
		args := strings.Fields(cmdline)
		// "... || echo leaked": the shell prints "leaked" on exit 1.
		echo := ""
		if i := indexOf(args, "||"); i >= 0 {
			echo = strings.Join(args[i+2:], " ")
			args = args[:i]
		}
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		got := stdout.String()
		if echo != "" && code != 0 {
			got += echo + "\n"
		}
		if stderr.Len() > 0 {
			t.Errorf("stackdiff %s: stderr: %s", cmdline, stderr.String())
		}
		if *update {
			text = strings.Replace(text, comment(m[2]), comment(indent(got)), 1)
			continue
		}
		if diff := cmp.Diff(strings.TrimRight(want, "\n"), strings.TrimRight(got, "\n")); diff != "" {
			t.Errorf("stackdiff %s: output mismatch (-doc.go +got):\n%s", cmdline, diff)
		}
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// comment turns doc text back into the "//" lines it came from.
func comment(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("//"+l, " ")
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "\t" + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
