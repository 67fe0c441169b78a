package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONDocSummary: the summary in docs/json.md's example is the one the
// README's sample diff gives; it said a suspect group after the server's
// connections stopped being suspects.
func TestJSONDocSummary(t *testing.T) {
	doc, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)"summary": (\{.*?\})`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/json.md has no summary in its example")
	}
	var want, got map[string]any
	if err := json.Unmarshal(m[1], &want); err != nil {
		t.Fatalf("docs/json.md's summary: %v", err)
	}
	var stdout, stderr bytes.Buffer
	dir := "../../samples/dumps/http-body-not-closed/"
	run([]string{"--json", dir + "before.txt", dir + "after.txt"}, nil, &stdout, &stderr)
	var rep struct{ Summary map[string]any }
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	got = rep.Summary
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/json.md's summary is not the sample's (-doc +tool):\n%s", diff)
	}
}
