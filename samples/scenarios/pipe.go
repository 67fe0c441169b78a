package scenarios

import (
	"bufio"
	"fmt"
	"io"
)

// writeReport streams a report into w. On an io.Pipe every Write waits until
// a reader has taken all its bytes, so it blocks as soon as nobody reads.
func writeReport(w *io.PipeWriter) {
	for i := range 100 {
		if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
			w.CloseWithError(err)
			return
		}
	}
	w.Close()
}

// reportTitle reads the first line of a report and abandons the reader
// without closing it, which is what would have unblocked the writer.
func reportTitle(h *hatch) (string, error) {
	pr, pw := io.Pipe()
	go writeReport(pw)
	title, err := bufio.NewReader(pr).ReadString('\n')
	h.add(func() { pr.Close() }) // scaffolding: stop closes the abandoned reader
	return title, err
}

// pipe-abandoned: stop closes the reader (kept by the hatch), so the blocked
// Write returns io.ErrClosedPipe and writeReport exits.
func pipeAbandoned() Scenario {
	return Scenario{
		Name:      "pipe-abandoned",
		Doc:       "A goroutine writes a report into an io.PipeWriter; the reader takes the first line and is abandoned, so the next Write blocks forever.",
		Leaks:     true,
		Want:      "io-pipe",
		WantCount: 1,
		Run:       runPipeAbandoned,
	}
}

func runPipeAbandoned() func() {
	p := newProbe()
	var h hatch
	_, err := reportTitle(&h)
	must("pipe-abandoned", err)
	p.await(want{"select", fn("writeReport"), 1})
	return stopper(p, h.open)
}
