package parse

import (
	"bytes"
	"strconv"
	"strings"
)

// header is a parsed goroutine header line:
//
//	goroutine 7 gp=0x... m=3 mp=0x... [chan send (leaked), 5 minutes, locked to thread, synctest bubble 1]:
//
// The runtime (traceback.go, goroutineheader) prints the base wait reason,
// then " (leaked)", " (scan)", " (durable)", then ", N minutes",
// ", locked to thread" and ", synctest bubble N". The goroutine's pprof
// labels follow: Go 1.27 prints them after the bracket, " {k: v}" (by
// default for a main module of go 1.27 or later), Go 1.26 with
// GODEBUG=tracebacklabels=1 inside it, " labels:{"k": "v"}" (see labels.go).
type header struct {
	id          int64
	state       string
	waitMinutes int
	locked      bool
	leaked      bool
	durable     bool
	bubble      int
	labels      string // raw `"k": "v", ...` text between the braces
	// badLabels is set when the label text could not be read: the
	// goroutine is kept with the labels read before the fault, and a
	// warning says so.
	badLabels bool
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
	// tails maps what follows a header's ID (" [chan send]:", or with
	// labels " [select] {"route": "/api"}:") to the header it gives: one
	// lookup for the whole line where the status and labels would each be
	// read and looked up. Labels that differ in every goroutine (a
	// request ID) fill it, and it stops growing at maxTails.
	tails map[string]header
	// labels interns label texts the same way: a dump of a million
	// labelled goroutines has far fewer distinct label sets, and the
	// lookup of a byte slice allocates nothing.
	labels map[string]string
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
	if cache != nil {
		if c, ok := cache.tails[string(rest)]; ok {
			c.id, c.bigID = h.id, h.bigID
			return c, true
		}
	}
	h, ok = parseTail(h, rest, cache)
	if ok && cache != nil && len(cache.tails) < maxTails && len(rest) <= maxTail {
		if cache.tails == nil {
			cache.tails = map[string]header{}
		}
		t := h
		t.id, t.bigID = 0, ""
		cache.tails[string(rest)] = t
	}
	return h, ok
}

// Bounds of statusCache.tails: the tails kept, and the longest kept.
const (
	maxTails = 4096
	maxTail  = 512
)

// parseTail parses what follows the ID of header h.
func parseTail(h header, rest []byte, cache *statusCache) (header, bool) {
	// Skip " gp=0x... m=N mp=0x..." (system tracebacks) up to " [".
	open := bytes.IndexByte(rest, '[')
	if open < 1 || rest[open-1] != ' ' || !isHeaderFill(rest[:open-1]) {
		return h, false
	}
	status, labels, bad, ok := cutStatus(rest[open+1:])
	if !ok {
		return h, false
	}
	if cache != nil {
		if c, ok := cache.m[string(status)]; ok {
			c.id, c.bigID = h.id, h.bigID
			c.setLabels(cache.intern(labels), bad)
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
	h.setLabels(cache.intern(labels), bad)
	return h, true
}

// intern returns label text as a string, the one kept for equal text when
// the cache has it (c may be nil).
func (c *statusCache) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if c == nil {
		return string(b)
	}
	if s, ok := c.labels[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(c.labels) < maxLabelTexts {
		if c.labels == nil {
			c.labels = map[string]string{}
		}
		c.labels[s] = s
	}
	return s
}

const maxLabelTexts = 4096

var (
	labels126    = []byte(" labels:{")
	labelsEnd126 = []byte("}]:")
	labelsEnd127 = []byte("}:")
)

// cutStatus splits what follows the "[" of a header into the status and
// the label text between braces (nil when none). bad is set when the labels
// could not be read up to their closing brace; the header's end is then
// taken from the last "}]:" or "}:" of the line. ok is false when b does not
// end a header.
func cutStatus(b []byte) (status, labels []byte, bad, ok bool) {
	closing := bytes.IndexByte(b, ']')
	if j := bytes.Index(b, labels126); j >= 0 && (closing < 0 || j < closing) {
		// Go 1.26: the quoted labels, which may hold "]", end the status.
		lb := b[j+len(labels126)-1:]
		if n, good := scanLabels(lb, nil); good && bytes.HasPrefix(lb[n:], []byte("]:")) && isBlank(lb[n+2:]) {
			return b[:j], lb[1 : n-1], false, true
		}
		k := bytes.LastIndex(lb, labelsEnd126)
		if k < 0 || !isBlank(lb[k+len(labelsEnd126):]) {
			return nil, nil, false, false
		}
		return b[:j], lb[1:k], true, true
	}
	if closing < 0 {
		return nil, nil, false, false
	}
	status, after := b[:closing], b[closing+1:]
	if len(after) > 0 && after[0] == ':' && isBlank(after[1:]) {
		return status, nil, false, true
	}
	if !bytes.HasPrefix(after, []byte(" {")) {
		return nil, nil, false, false
	}
	// Go 1.27: the labels follow the status.
	lb := after[1:]
	if n, good := scanLabels(lb, nil); good && n < len(lb) && lb[n] == ':' && isBlank(lb[n+1:]) {
		return status, lb[1 : n-1], false, true
	}
	k := bytes.LastIndex(lb, labelsEnd127)
	if k < 0 || !isBlank(lb[k+len(labelsEnd127):]) {
		return nil, nil, false, false
	}
	return status, lb[1:k], true, true
}

// setLabels keeps the label text of a header ("" for none).
func (h *header) setLabels(labels string, bad bool) {
	h.labels, h.badLabels = labels, bad
}

// looksLikeHeader reports whether a line that parseHeader refused starts
// like a goroutine header, "goroutine N [" or "goroutine N gp=": losing it
// would lose a goroutine, so the reader says so.
func looksLikeHeader(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, goroutinePrefix)
	if !ok {
		return false
	}
	_, _, rest, ok = cutID(rest)
	return ok && (bytes.HasPrefix(rest, []byte(" [")) || bytes.HasPrefix(rest, []byte(" gp=")))
}

// idText is the goroutine's ID as the dump printed it.
func (h *header) idText() string {
	if h.bigID != "" {
		return h.bigID
	}
	return strconv.FormatInt(h.id, 10)
}

// quotedClip is at most 120 bytes of s, for a warning; the warning quotes it.
func quotedClip(s string) string {
	const most = 120
	if len(s) <= most {
		return s
	}
	return clip(s, most) + "..."
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

// parseStatus reads the status text between the brackets. goleak copies
// it from the runtime's header without the brackets, so it may also end in
// labels: " labels:{...}" (Go 1.26) or "] {...}" (Go 1.27, where goleak
// keeps what follows the status).
func (h *header) parseStatus(s string) {
	if i := strings.Index(s, " labels:{"); i >= 0 {
		raw := strings.TrimSuffix(s[i+len(" labels:{"):], "}")
		h.labels, h.badLabels = raw, !labelsReadable(raw)
		s = s[:i]
	} else if i := strings.Index(s, "] {"); i >= 0 {
		raw := strings.TrimSuffix(s[i+len("] {"):], "}")
		h.labels, h.badLabels = raw, !labelsReadable(raw)
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
