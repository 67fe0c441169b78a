package safetext

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Walk applies [String] to every string v holds, in place: v is a pointer
// to the value a writer is about to encode (a JSON document, the data of
// an HTML template). Strings are found however deep they sit, in struct
// fields, slices, arrays, maps (keys included) and interfaces, so a field
// added later is gated without anyone remembering to. Values of the
// html/template types (template.HTML, CSS, JS) are the program's own
// markup, never input, and are left alone; so are unexported fields, which
// encoders do not print. A string field tagged `safetext:"lines"` is text
// of several lines (a panic message) that an encoder escapes itself: each
// line is gated ([Lines]) and the newlines between them are kept.
// Slices are gated in place: pass values built for the output.
func Walk(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("safetext.Walk: want a non-nil pointer")
	}
	w := walker{seen: map[uintptr]bool{}}
	w.walk(rv.Elem())
}

type walker struct {
	seen map[uintptr]bool // pointers walked: a value shared twice is gated once
}

const trusted = "html/template"

func (w walker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.Type().PkgPath() == trusted || !v.CanSet() {
			return
		}
		if s := v.String(); s != "" {
			v.SetString(String(s))
		}
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.walk(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			w.walk(e)
			return
		}
		if !v.CanSet() {
			return
		}
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		w.walk(c)
		v.Set(c)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			switch {
			case !f.IsExported():
			case f.Tag.Get("safetext") == "lines" && f.Type.Kind() == reflect.String:
				v.Field(i).SetString(Lines(v.Field(i).String()))
			default:
				w.walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i))
		}
	case reflect.Map:
		w.walkMap(v)
	}
}

// walkMap gates keys and values by building the map again: map elements
// cannot be set in place. Two keys can gate to one (two passwords redacted,
// two long keys cut alike, a control character and its escape written
// out): the later one, in the order of the keys before gating, gets " #2"
// (then #3 ...) rather than replacing the first. The keys are taken in
// that order so the suffixes are the same on every run.
func (w walker) walkMap(v reflect.Value) {
	if v.IsNil() || !v.CanSet() {
		return
	}
	kt, et := v.Type().Key(), v.Type().Elem()
	keys := v.MapKeys()
	if kt.Kind() == reflect.String {
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	}
	out := reflect.MakeMapWithSize(v.Type(), v.Len())
	next := map[string]int{} // a gated key's next free number: keys that gate alike cost one probe each
	for _, key := range keys {
		k := reflect.New(kt).Elem()
		k.Set(key)
		e := reflect.New(et).Elem()
		e.Set(v.MapIndex(key))
		w.walk(k)
		w.walk(e)
		if kt.Kind() == reflect.String && out.MapIndex(k).IsValid() {
			base := k.String()
			n := max(2, next[base])
			for {
				k.SetString(base + " #" + strconv.Itoa(n))
				if !out.MapIndex(k).IsValid() {
					break
				}
				n++
			}
			next[base] = n + 1
		}
		out.SetMapIndex(k, e)
	}
	v.Set(out)
}
