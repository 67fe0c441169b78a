//go:build !unix

package main

import (
	"os"

	"github.com/stackdiff/stackdiff/internal/report"
)

func termWidth(f *os.File) int { return 0 }

func isTTY(r any) bool { return report.IsTerminal(r) }
