package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stackdiff/stackdiff/internal/safetext"
)

// realBlocks returns the goroutine blocks of a real SIGQUIT dump.
func realBlocks(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../parse/testdata/generated/sigquit_gotraceback_all.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, blk := range strings.Split(string(b), "\n\n") {
		if lines := strings.Split(blk, "\n"); len(lines) >= 3 && strings.HasPrefix(lines[0], "goroutine ") {
			out = append(out, blk)
		}
	}
	return out
}

// TestLongNameDoesNotWidenTheTable: 600 groups (a real dump's goroutines
// copied, each copy at its own line) and one function name of 100,000
// characters: every row of --all stays within the capped columns (the
// table was padded to the name: 302 MB for 3000 rows).
func TestLongNameDoesNotWidenTheTable(t *testing.T) {
	blocks := realBlocks(t)
	var b strings.Builder
	for n := range 600 {
		lines := strings.Split(blocks[n%len(blocks)], "\n")
		lines[0] = fmt.Sprintf("goroutine %d %s", 100000+n, lines[0][strings.Index(lines[0], "["):])
		for i, l := range lines {
			if strings.HasPrefix(l, "\t") { // every frame at its own line: a group per copy
				file, _, _ := strings.Cut(l, " ")
				lines[i] = file[:strings.LastIndexByte(file, ':')] + fmt.Sprintf(":%d", 1000+n)
			}
		}
		if n == 0 {
			lines[1] = "main." + strings.Repeat("F", 100000) + "()"
		}
		b.WriteString(strings.Join(lines, "\n") + "\n\n")
	}
	dump := filepath.Join(t.TempDir(), "dump.txt")
	if err := os.WriteFile(dump, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--all", dump}, nil, &stdout, &stderr); code == exitTrouble {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// VERDICT LABEL COUNT STATE SITE CREATED-BY: six cells and their gaps.
	const widest = 6 * (safetext.MaxCell + 2)
	rows := 0
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "ok ") || strings.HasPrefix(line, "suspect ") || strings.HasPrefix(line, "leak ") {
			rows++
			if n := utf8.RuneCountInString(line); n > widest {
				t.Fatalf("a row of %d characters, want at most %d: %.200q", n, widest, line)
			}
		}
	}
	if rows < 550 {
		t.Errorf("%d rows, want one per group (600 goroutines)", rows)
	}
	if stdout.Len() > 600*widest+64<<10 {
		t.Errorf("%d bytes of output for 600 rows", stdout.Len())
	}
}

// TestJunkLinesCostLittleOutput: a gzip of a real dump whose every stack
// holds a line of a MiB of junk gives a bounded number of short warnings,
// also under -q, and JSON that does not quote the lines (a 21 KB gzip gave
// 105 MB of JSON and 84 MB of warnings).
func TestJunkLinesCostLittleOutput(t *testing.T) {
	junk := strings.Repeat("J", 1<<20-1)
	var raw bytes.Buffer
	for _, blk := range realBlocks(t) {
		lines := strings.Split(blk, "\n")
		lines = append(lines[:3:3], append([]string{junk}, lines[3:]...)...)
		raw.WriteString(strings.Join(lines, "\n") + "\n\n")
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw.Bytes())
	zw.Close()
	dump := filepath.Join(t.TempDir(), "junk.gz")
	if err := os.WriteFile(dump, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--json", dump}, {"-q", dump}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code == exitTrouble {
			t.Fatalf("%q: exit %d: %.300s", args, code, stderr.String())
		}
		warnings := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if len(warnings) != safetext.MaxWarnings+1 || !strings.Contains(warnings[len(warnings)-1], "more warnings") {
			t.Errorf("%q: %d lines of warnings, want %d and a count of the rest; last %.200q", args, len(warnings), safetext.MaxWarnings, warnings[len(warnings)-1])
		}
		for _, w := range warnings {
			if len(w) > safetext.MaxString+200 {
				t.Errorf("%q: a warning of %d bytes", args, len(w))
				break
			}
		}
		if stdout.Len() > 1<<20 {
			t.Errorf("%q: %d bytes of output from %d of gzip", args, stdout.Len(), gz.Len())
		}
	}
}
