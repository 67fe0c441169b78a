package scenarios

import (
	"bytes"
	"context"
	"os/exec"
)

// runHook starts a short hook command under the caller's context and never
// calls Wait. Because the command has a context, os/exec starts a watchCtx
// goroutine at Start, and it can only hand its result to Wait: without Wait it
// waits for ever (until the context ends), and the exited child stays a zombie.
// The stdout buffer makes os/exec start a copying goroutine as well, but that
// one ends by itself when the child exits and closes the pipe. (With plain
// exec.Command and no context, the only trace a fast child leaves is the
// zombie: no goroutine.)
func runHook(ctx context.Context, h *hatch) error {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", "echo hook done")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return err
	}
	h.add(func() { _ = cmd.Wait() }) // scaffolding: stop calls the Wait that was forgotten
	return nil
}

// exec-not-waited: stop calls cmd.Wait, which receives watchCtx's result and
// reaps the child.
func execNotWaited() Scenario {
	return Scenario{
		Name:      "exec-not-waited",
		Doc:       "exec.CommandContext starts a fast /bin/sh with Stdout in a bytes.Buffer and never calls Wait, leaving os/exec's watchCtx goroutine (and a zombie child).",
		Leaks:     true,
		Want:      "exec-not-waited",
		WantCount: 1,
		Run:       runExecNotWaited,
	}
}

func runExecNotWaited() func() {
	p := newProbe()
	var h hatch
	ctx, cancel := context.WithCancel(context.Background())
	must("exec-not-waited", runHook(ctx, &h))
	// One os/exec goroutine left: the copier has seen EOF and exited.
	p.await(want{"select", "os/exec.(*Cmd).watchCtx", 1}, want{"", "os/exec.", 1})
	return stopper(p, h.open, cancel)
}
