//go:build !unix

package main

import "os"

func termWidth(f *os.File) int { return 0 }
