package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/internal/watch"
)

// readmeText is the README with every run of spaces and newlines made one
// space, so that a phrase is found however its lines are wrapped.
func readmeText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestReadmeLimitsOfTheCLI: the Limits section states the CLI's constants
// as the code has them.
func TestReadmeLimitsOfTheCLI(t *testing.T) {
	readme := readmeText(t)
	for _, phrase := range []string{
		fmt.Sprintf("at most %d,%03d groups per target", watch.MaxTracked/1000, watch.MaxTracked%1000),
		fmt.Sprintf("at most %d leak groups per target for its summary, which lists at most %d", watch.MaxLeaksKept, watch.MaxLeaksKept),
		fmt.Sprintf("reads at most the first %d MiB of an existing file and unpacks a gzip one to at most %d MiB", maxOursRead>>20, maxOursRead>>20),
	} {
		if !strings.Contains(readme, phrase) {
			t.Errorf("README does not say %q", phrase)
		}
	}
}
