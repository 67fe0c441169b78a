package main

import (
	"bytes"
	"path/filepath"

	"github.com/google/pprof/profile"
)

// trimMappings rewrites a protobuf profile so that its mappings name the
// binary by its base name: the runtime records the executable's absolute
// path, a temporary directory of the machine that wrote the dump.
func trimMappings(b []byte) ([]byte, error) {
	p, err := profile.ParseData(b)
	if err != nil {
		return nil, err
	}
	for _, m := range p.Mapping {
		if filepath.IsAbs(m.File) {
			m.File = filepath.Base(m.File)
		}
	}
	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
