package main

import (
	"errors"
	"io"
	"strings"

	"github.com/stackdiff/stackdiff/parse"
)

// labelIgnore reads an --ignore of the form label:KEY=VALUE (the key ends at
// the first "="; the value may hold more).
func labelIgnore(spec string) (key, value string, isLabel bool, err error) {
	kv, ok := strings.CutPrefix(spec, "label:")
	if !ok {
		return "", "", false, nil
	}
	key, value, ok = strings.Cut(kv, "=")
	if !ok {
		return "", "", true, errors.New("--ignore label: takes KEY=VALUE, as in label:endpoint=/healthz")
	}
	return key, value, true, nil
}

// splitByLabels applies --by-label and the --ignore label: options to a
// snapshot before it is compared: labels split a group only on request,
// and an ignored label set needs groups of its own goroutines alone.
func (c *config) splitByLabels(s *parse.Snapshot) {
	if c.byLabel != "" {
		parse.SplitByLabel(s, c.byLabel)
	}
	for _, spec := range c.ignore {
		if key, value, ok, err := labelIgnore(spec); ok && err == nil {
			parse.SplitOffLabel(s, key, value)
		}
	}
}

// badLabelIgnore returns the error of the first malformed --ignore label:.
func (c *config) badLabelIgnore() error {
	for _, spec := range c.ignore {
		if _, _, _, err := labelIgnore(spec); err != nil {
			return err
		}
	}
	return nil
}

// warnUnusedByLabel says when no goroutine of any input carries the
// --by-label key: a misspelt key, or a dump whose runtime printed no
// labels, would otherwise split nothing silently.
func (c *config) warnUnusedByLabel(snaps []*parse.Snapshot, stderr io.Writer) {
	if c.byLabel == "" {
		return
	}
	for _, s := range snaps {
		for _, g := range s.Groups {
			for _, ls := range g.LabelSets {
				if _, ok := ls.Labels[c.byLabel]; ok {
					return
				}
			}
		}
	}
	complain(stderr, "warning: --by-label %s: no goroutine carries this label", c.byLabel)
}
