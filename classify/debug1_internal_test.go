package classify

import "testing"

func TestWaitOfLine(t *testing.T) {
	tests := map[string]string{
		"\tch <- v":                          "chan send",
		"\t\tcase out <- item:":              "chan send",
		"\tresults[i] <- r // report":        "chan send",
		"\tv := <-ch":                        "chan receive",
		"\treturn <-done":                    "chan receive",
		"\tcase <-ctx.Done():":               "chan receive",
		"\tprocess(<-jobs)":                  "chan receive",
		"\tfor job := range jobs {":          "chan receive",
		"\tselect {":                         "select",
		"\tselect {}":                        "select (no cases)",
		"\tmu.Lock()":                        "sync.Mutex.Lock",
		"\ts.mu.RLock()":                     "sync.RWMutex.RLock",
		"\twg.Wait()":                        "sync.WaitGroup.Wait",
		"\ttime.Sleep(time.Second)":          "sleep",
		"\tx := compute(y) // not <- a wait": "",
	}
	for line, want := range tests {
		if got := waitOfLine(line); got != want {
			t.Errorf("waitOfLine(%q) = %q, want %q", line, got, want)
		}
	}
}
