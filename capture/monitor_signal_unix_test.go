//go:build unix

package capture

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMonitorAndDumpOnSignalTogether: a program using both, as the README
// shows, starts the signal loop after the monitor's baseline; when a real
// leak raises an alert, the report names the leak, never capture's own
// signal loop.
func TestMonitorAndDumpOnSignalTogether(t *testing.T) {
	if err := Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	m := newFakeMonitor(MonitorConfig{Period: time.Second, Threshold: 5, MinInterval: time.Minute})
	m.Start()
	defer m.Stop()
	stop, err := DumpOnSignal(t.TempDir(), syscall.SIGUSR2)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	l := StartLeaks(10)
	defer l.Release()
	m.tick(t, time.Unix(1_700_000_000, 0))
	if len(m.alerts) != 1 {
		t.Fatalf("%d alerts, want 1", len(m.alerts))
	}
	var leaks []string
	for _, g := range m.alerts[0].Report.Leaks() {
		leaks = append(leaks, fmt.Sprintf("%s %d", g.Label, g.New))
	}
	if diff := cmp.Diff([]string{"chan-send 10"}, leaks); diff != "" {
		t.Errorf("leak groups (-want +got):\n%s", diff)
	}
}
