package classify

import "github.com/stackdiff/stackdiff/internal/display"

// The frame and name helpers classify shares with the reports.
var (
	isRuntime   = display.IsRuntime
	isStdlib    = display.IsStdlibPath
	stackFrames = display.Visible
	isGoWrapper = display.IsGoWrapper
)
