package classify_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stackdiff/stackdiff/classify"
)

// TestWatchVerdict: what a watch saw makes a leak of a blocking wait and
// of a doubtful one that keeps rising or stays stuck; a crowd of doubtful
// goroutines and anything of an Unknown class is a suspect; a group
// Compare judged ok stays ok, and no sighting makes a verdict better.
func TestWatchVerdict(t *testing.T) {
	saws := []classify.Sighting{classify.SawProven, classify.SawRising, classify.SawCrowd, classify.SawStuck}
	type key struct {
		v     classify.Verdict
		class classify.Class
	}
	got := map[key][]classify.Verdict{}
	for _, v := range []classify.Verdict{classify.OK, classify.Suspect, classify.Leak} {
		for _, class := range []classify.Class{classify.Unknown, classify.Blocking, classify.Doubtful, classify.Benign} {
			for _, saw := range saws {
				got[key{v, class}] = append(got[key{v, class}], classify.WatchVerdict(v, class, saw))
			}
		}
	}
	ok, sus, leak := classify.OK, classify.Suspect, classify.Leak
	//                                      proven rising crowd stuck
	want := map[key][]classify.Verdict{
		{ok, classify.Unknown}:    {ok, ok, ok, ok},
		{ok, classify.Blocking}:   {ok, ok, ok, ok},
		{ok, classify.Doubtful}:   {ok, ok, ok, ok},
		{ok, classify.Benign}:     {ok, ok, ok, ok},
		{sus, classify.Unknown}:   {leak, sus, sus, sus},
		{sus, classify.Blocking}:  {leak, leak, leak, leak},
		{sus, classify.Doubtful}:  {leak, leak, sus, leak},
		{sus, classify.Benign}:    {leak, sus, sus, sus},
		{leak, classify.Unknown}:  {leak, leak, leak, leak},
		{leak, classify.Blocking}: {leak, leak, leak, leak},
		{leak, classify.Doubtful}: {leak, leak, leak, leak},
		{leak, classify.Benign}:   {leak, leak, leak, leak},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts per (verdict, class), for proven, rising, crowd, stuck (-want +got):\n%s", diff)
	}
	if got := classify.WatchVerdict(classify.Suspect, classify.Blocking, 0); got != classify.Suspect {
		t.Errorf("no sighting: %s, want suspect", got)
	}
}

// TestObserve judges real groups of a diff (a service that leaves response
// bodies open) by what a watch saw: server connections that grew with the
// connections stay ok however they rose, a blocking wait is a leak with
// the sighting kept once in its evidence, and ok groups (a listener, an
// ignored group) are left as they were, proof or not.
func TestObserve(t *testing.T) {
	snaps := readPair(t, "http-body-not-closed")
	ignore := classify.IgnoreTopFunction("net/http.(*persistConn).readLoop")
	rep := classify.Compare(snaps, &classify.Options{Ignore: []classify.Ignore{ignore}})
	byLabel := map[classify.Label]*classify.Group{}
	for _, g := range rep.Groups {
		byLabel[g.Label] = g
	}
	type seen struct {
		label classify.Label
		saw   classify.Sighting
		why   string
	}
	var got []string
	for _, s := range []seen{
		{classify.HTTPServerConn, classify.SawRising, "rose"},
		{classify.HTTPServerConn, classify.SawCrowd, "a crowd"},
		{classify.HTTPClientConn, classify.SawStuck, "stuck"},
		{classify.HTTPClientConn, classify.SawRising, "rose"},
		{classify.HTTPClientConn, classify.SawStuck, "stuck"}, // said again: kept once
		{classify.NetListener, classify.SawRising, "rose"},
		{classify.HTTPBodyNotClosed, classify.SawProven, "proven"},
	} {
		g := byLabel[s.label]
		if g == nil {
			t.Fatalf("no %s group in the diff", s.label)
		}
		before := len(g.Evidence)
		v := classify.Observe(g, s.saw, s.why)
		got = append(got, fmt.Sprintf("%s %s %s %q", s.label, v, g.Verdict, g.Evidence[before:]))
	}
	want := []string{
		`http-server-conn ok ok []`,
		`http-server-conn ok ok []`,
		`http-client-conn leak leak ["stuck"]`,
		`http-client-conn leak leak ["rose"]`,
		`http-client-conn leak leak []`,
		`net-listener ok ok []`,
		`http-body-not-closed ok ok []`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdict returned, verdict set, evidence added (-want +got):\n%s", diff)
	}
}
