package main

import (
	"encoding/json"
	"io"

	"github.com/stackdiff/stackdiff/classify"
)

// jsonReport is the --json output, schema version 1 (see README.md): the
// classify report with a version number. New fields may be added; none is
// removed or changes meaning without a version bump.
type jsonReport struct {
	Version int `json:"version"`
	*classify.Report
}

func writeJSON(w io.Writer, r *classify.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Version: 1, Report: r})
}
