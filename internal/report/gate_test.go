package report_test

import (
	"bytes"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/parse"
)

const (
	secret  = "Sup3rSecret"
	planted = " http://admin:" + secret + "@nas/\a\x7f\u0085\u202e\x1b]0;x\x1b[2J"
)

// plantEverywhere appends the planted password and control characters to
// every string v holds, however deep: a field added to the report later is
// planted too, so a writer that forgets the gate for it fails this test.
func plantEverywhere(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + planted)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			plantEverywhere(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				plantEverywhere(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			plantEverywhere(v.Index(i))
		}
	case reflect.Map: // goroutine labels: keys and values
		if v.IsNil() || !v.CanSet() {
			return
		}
		out := reflect.MakeMap(v.Type())
		for it := v.MapRange(); it.Next(); {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			k.Set(it.Key())
			e.Set(it.Value())
			plantEverywhere(k)
			plantEverywhere(e)
			out.SetMapIndex(k, e)
		}
		v.Set(out)
	}
}

// TestEveryWriterGatesEveryField: a real report with the secret and the
// control characters planted in every string field (names, warnings,
// states, labels, frames, evidence, reasons, events, origins) goes through
// every writer; none shows them raw, and colour codes are the only escape
// sequences of the coloured text.
func TestEveryWriterGatesEveryField(t *testing.T) {
	r := sampleReport(t)
	r.Inputs[1].Event = &parse.Event{Kind: parse.EventPanic, Message: "boom\nsecond line", Goroutine: 1, Tests: []string{"TestX"}}
	r.Inputs[1].Warnings = append(r.Inputs[1].Warnings, "a warning")
	r.Groups[0].Origins = append(r.Groups[0].Origins, classify.Origin{Test: "TestY", Func: "main.f", Count: 1})
	plantEverywhere(reflect.ValueOf(r))
	writers := map[string]func(io.Writer) error{
		"text":   func(w io.Writer) error { return report.Text(w, r, report.Options{}) },
		"all":    func(w io.Writer) error { return report.Text(w, r, report.Options{All: true, Frames: 100}) },
		"colour": func(w io.Writer) error { return report.Text(w, r, report.Options{All: true, Frames: 100, Color: true}) },
		"lines":  func(w io.Writer) error { return report.Lines(w, r, nil) },
		"json":   func(w io.Writer) error { return report.JSON(w, r) },
		"html":   func(w io.Writer) error { return report.HTML(w, r) },
		"detail": func(w io.Writer) error { return report.Detail(w, r.Groups[0], 100, true) },
	}
	colour := regexp.MustCompile("\x1b\\[[0-9;]*m")
	for name, write := range writers {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := colour.ReplaceAllString(b.String(), "")
		if strings.Contains(out, secret) {
			t.Errorf("%s shows the password", name)
		}
		if i := strings.IndexAny(out, "\a\x7f\u0085\u202e\x1b"); i >= 0 {
			t.Errorf("%s holds a raw %q: …%q…", name, out[i:i+1], out[max(0, i-60):min(len(out), i+20)])
		}
		if !strings.Contains(out, "admin:xxxxx@nas") {
			t.Errorf("%s shows no planted string at all: the test proves nothing", name)
		}
	}
	var b strings.Builder
	p := report.Profile(r)
	for _, fn := range p.Function {
		b.WriteString(fn.Name + fn.SystemName + fn.Filename)
	}
	for _, s := range p.Sample {
		for k, vs := range s.Label {
			b.WriteString(k + strings.Join(vs, ""))
		}
	}
	if out := b.String(); strings.Contains(out, secret) || strings.ContainsAny(out, "\a\x7f\u0085\u202e\x1b") {
		t.Errorf("the profile holds a raw planted string: %.300q", out)
	}
}
