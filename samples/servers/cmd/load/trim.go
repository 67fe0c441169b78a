package main

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/google/pprof/profile"
)

// trimMappings rewrites a protobuf profile so that a mapping of a binary in
// dir names it by its base name: the capture's temporary directory is of
// the machine that took it, and gone once the capture ends. Nothing else
// changes.
func trimMappings(b []byte, dir string) ([]byte, error) {
	p, err := profile.ParseData(b)
	if err != nil {
		return nil, err
	}
	prefix := filepath.Clean(dir) + string(filepath.Separator)
	for _, m := range p.Mapping {
		if strings.HasPrefix(m.File, prefix) {
			m.File = filepath.Base(m.File)
		}
	}
	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
