package report

import (
	"encoding/json"
	"io"

	"github.com/stackdiff/stackdiff/classify"
)

// jsonReport is the JSON output, schema version 1 (see README.md): the
// classify report with a version number. New fields may be added; none is
// removed or changes meaning without a version bump.
type jsonReport struct {
	Version int `json:"version"`
	*classify.Report
}

// JSON writes the report as JSON, schema version 1.
func JSON(w io.Writer, r *classify.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Version: 1, Report: r})
}
