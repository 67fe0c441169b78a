//go:build unix

package term

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTerminal asks for the window size: only a terminal answers. A mode
// check alone would take /dev/null, a character device, for one.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	return err == nil
}

func width(f *os.File) int {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
