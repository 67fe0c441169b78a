package parse

import (
	"bytes"
	"strconv"
	"strings"
)

// header is a parsed goroutine header line:
//
//	goroutine 7 gp=0x... m=3 mp=0x... [chan send (leaked), 5 minutes, locked to thread, synctest bubble 1 labels:{"k": "v"}]:
//
// The runtime (traceback.go, goroutineheader) prints the base wait reason,
// then " (leaked)", " (scan)", " (durable)", then ", N minutes",
// ", locked to thread", ", synctest bubble N" and finally " labels:{...}".
type header struct {
	id          int64
	state       string
	waitMinutes int
	locked      bool
	leaked      bool
	durable     bool
	bubble      int
	labels      string // raw `"k": "v", ...` text between the braces
	// bigID is the ID as printed when it does not fit an int64 (the
	// runtime's IDs are uint64); id is then 0.
	bigID string
}

var goroutinePrefix = []byte("goroutine ")

// parseHeader parses line as a goroutine header. The line must start with
// "goroutine " (any log prefix already removed).
func parseHeader(line []byte) (header, bool) {
	return parseHeaderCached(line, nil)
}

// statusCache remembers the statuses parsed: a big dump has a million
// headers and a few dozen distinct status texts ("[chan send]",
// "[select, 5 minutes]"), so reusing them saves a string and a parse per
// goroutine. Labels can make every status distinct: the cache stops
// growing at maxStatuses.
type statusCache struct {
	m map[string]header
}

const maxStatuses = 1024

// parseHeaderCached is parseHeader with a cache (nil for none).
func parseHeaderCached(line []byte, cache *statusCache) (header, bool) {
	var h header
	rest, ok := bytes.CutPrefix(line, goroutinePrefix)
	if !ok {
		return h, false
	}
	h.id, h.bigID, rest, ok = cutID(rest)
	if !ok {
		return h, false
	}
	// Skip " gp=0x... m=N mp=0x..." (system tracebacks) up to " [".
	open := bytes.IndexByte(rest, '[')
	if open < 1 || rest[open-1] != ' ' || !isHeaderFill(rest[:open-1]) {
		return h, false
	}
	end := bytes.LastIndex(rest, []byte("]:"))
	if end < open || !isBlank(rest[end+2:]) {
		return h, false
	}
	status := rest[open+1 : end]
	if cache != nil {
		if c, ok := cache.m[string(status)]; ok {
			c.id, c.bigID = h.id, h.bigID
			return c, true
		}
	}
	h.parseStatus(string(status))
	if cache != nil && len(cache.m) < maxStatuses {
		if cache.m == nil {
			cache.m = map[string]header{}
		}
		cache.m[string(status)] = h
	}
	return h, true
}

// cutID reads the goroutine ID at the start of b. An ID of up to 20
// digits that does not fit an int64 is returned as big, with id 0.
func cutID(b []byte) (id int64, big string, rest []byte, ok bool) {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 0 || i > 20 {
		return 0, "", b, false
	}
	id, err := strconv.ParseInt(string(b[:i]), 10, 64)
	if err != nil {
		return 0, string(b[:i]), b[i:], true
	}
	return id, "", b[i:], true
}

// isHeaderFill accepts what may stand between the ID and the status:
// nothing, or " gp=... m=... mp=...".
func isHeaderFill(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	return bytes.HasPrefix(b, []byte(" gp=")) && bytes.IndexByte(b, '[') < 0
}

func isBlank(b []byte) bool {
	return len(bytes.TrimSpace(b)) == 0
}

func (h *header) parseStatus(s string) {
	if i := strings.Index(s, " labels:{"); i >= 0 {
		h.labels = strings.TrimSuffix(s[i+len(" labels:{"):], "}")
		s = s[:i]
	}
	parts := strings.Split(s, ", ")
	base := parts[0]
	for _, p := range parts[1:] {
		switch {
		case strings.HasSuffix(p, " minutes"):
			if n, err := strconv.Atoi(strings.TrimSuffix(p, " minutes")); err == nil {
				h.waitMinutes = n
			}
		case p == "locked to thread":
			h.locked = true
		case strings.HasPrefix(p, "synctest bubble "):
			if n, err := strconv.Atoi(strings.TrimPrefix(p, "synctest bubble ")); err == nil {
				h.bubble = n
			}
		default:
			// Unknown decoration: keep it visible rather than lose it.
			base += ", " + p
		}
	}
	for {
		switch {
		case strings.HasSuffix(base, " (leaked)"):
			h.leaked = true
			base = strings.TrimSuffix(base, " (leaked)")
		case strings.HasSuffix(base, " (durable)"):
			h.durable = true
			base = strings.TrimSuffix(base, " (durable)")
		case strings.HasSuffix(base, " (scan)"):
			base = strings.TrimSuffix(base, " (scan)")
		default:
			h.state = base
			return
		}
	}
}

// parseLabels reads the label text of a header or a debug=1 record,
// `"handler": "checkout", "tenant": "acme"` (the runtime quotes with %q
// style escapes), into a map. Malformed text gives whatever pairs it holds.
func parseLabels(s string) map[string]string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	if s == "" {
		return nil
	}
	m := map[string]string{}
	for s != "" {
		k, rest, ok := cutQuoted(s)
		if !ok {
			break
		}
		rest = strings.TrimLeft(rest, ": ")
		v, rest2, ok := cutQuoted(rest)
		if !ok {
			break
		}
		m[k] = v
		s = strings.TrimLeft(rest2, ", ")
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// cutQuoted reads one Go-quoted string at the start of s.
func cutQuoted(s string) (val, rest string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] != '"' {
		return "", s, false
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			v, err := strconv.Unquote(s[:i+1])
			if err != nil {
				v = s[1:i]
			}
			return v, s[i+1:], true
		}
	}
	return "", s, false
}
