// Package labelled is the module TestLabelOptionsInAModule builds and
// tests: capture's label options on goroutines labelled with pprof.Do,
// used from outside the package, as a go 1.26 or a go 1.27 module.
package labelled

import (
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdiff/stackdiff/capture"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

const parkFunc = "example.com/labelled.park"

//go:noinline
func park(ch chan int) { ch <- 1 }

// part is n goroutines under the labels kv (none when empty).
type part struct {
	n  int
	kv []string
}

var (
	export  = part{3, []string{"endpoint", "/api/export"}}
	import_ = part{2, []string{"endpoint", "/api/import"}}
	plain   = part{1, nil}
)

// start parks the parts' goroutines in park, all through one go
// statement (one stack), and releases them when the test ends.
func start(t *testing.T, parts ...part) {
	ch := make(chan int)
	var wg sync.WaitGroup
	total := 0
	for _, p := range parts {
		pprof.Do(context.Background(), pprof.Labels(p.kv...), func(context.Context) {
			for range p.n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					park(ch)
				}()
			}
		})
		total += p.n
	}
	t.Cleanup(func() {
		for range total {
			<-ch
		}
		wg.Wait()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := capture.Settle(ctx); err != nil {
		t.Fatal(err)
	}
}

// parked returns the groups of r parked in park: split -> count, verdict.
func parked(r *classify.Report) map[string]string {
	out := map[string]string{}
	for _, g := range r.Groups {
		if slices.ContainsFunc(g.Frames, func(f parse.Frame) bool { return f.Func == parkFunc }) {
			out[g.Split] = strings.Repeat("x", g.Counts[len(g.Counts)-1]) + " " + string(g.Verdict)
		}
	}
	return out
}

func same(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: got %q, want %q", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", what, got, want)
			return
		}
	}
}

func TestDiffByLabel(t *testing.T) {
	r, err := capture.Diff(t.Context(), func() { start(t, export, import_, plain) }, capture.ByLabel("endpoint"))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Diff's groups", map[string]string{
		"endpoint=/api/export": "xxx leak", "endpoint=/api/import": "xx leak", "": "x leak",
	}, parked(r))
}

func TestDiffIgnoreLabel(t *testing.T) {
	r, err := capture.Diff(t.Context(), func() { start(t, export, import_, plain) }, capture.IgnoreLabel("endpoint", "/api/export"))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Diff's groups", map[string]string{"endpoint=/api/export": "xxx ok", "": "xxx leak"}, parked(r))
}

var short = capture.MaxWait(300 * time.Millisecond)

func TestFindIgnoreLabel(t *testing.T) {
	start(t, export, import_)
	if err := capture.Find(short, capture.IgnoreLabel("endpoint", "/api/export"), capture.IgnoreLabel("endpoint", "/api/import")); err != nil {
		t.Errorf("Find with every label ignored: %v", err)
	}
	err := capture.Find(short, capture.IgnoreLabel("endpoint", "/api/export"), capture.ByLabel("endpoint"))
	var le *capture.LeakError
	if !errors.As(err, &le) {
		t.Fatalf("Find with one label ignored: %v", err)
	}
	same(t, "Find's groups", map[string]string{"endpoint=/api/import": "xx leak"}, parked(le.Report))
}

// recorder is a test under VerifyNone that records its failures.
type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, format)
}

func TestVerifyNoneIgnoreLabel(t *testing.T) {
	start(t, export, plain)
	var r recorder
	capture.VerifyNone(&r, short, capture.IgnoreLabel("endpoint", "/api/export"))
	if len(r.errs) != 1 {
		t.Errorf("VerifyNone failed %d times, want once for the unlabelled goroutine", len(r.errs))
	}
	r.errs = nil
	start(t, import_)
	capture.VerifyNone(&r, short, capture.IgnoreLabel("endpoint", "/api/export"), capture.IgnoreLabel("endpoint", "/api/import"))
	if len(r.errs) != 1 {
		t.Errorf("VerifyNone failed %d times, want once for the unlabelled goroutine", len(r.errs))
	}
}

// TestHeaders says which way the labels were read: WANT_HEADER_LABELS is
// 1 where the runtime prints them in traceback headers (a go 1.27 module
// under Go 1.27), 0 where only the goroutine profile has them.
func TestHeaders(t *testing.T) {
	start(t, export)
	buf := make([]byte, 1<<20)
	dump := buf[:runtime.Stack(buf, true)]
	s, err := parse.Read(bytes.NewReader(dump), "headers")
	if err != nil {
		t.Fatal(err)
	}
	labelled := slices.ContainsFunc(s.Groups, func(g *parse.Group) bool { return len(g.LabelSets) > 0 })
	if want := os.Getenv("WANT_HEADER_LABELS") == "1"; labelled != want {
		t.Errorf("traceback headers show labels: %v, want %v", labelled, want)
	}
}
