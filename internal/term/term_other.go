//go:build !unix

package term

import "os"

// isTerminal takes a character device for a terminal: without a terminal
// ioctl to ask, that is the best answer at hand.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func width(*os.File) int { return 0 }
