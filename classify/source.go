package classify

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Timers, tickers and contexts are invisible in a stack: "<-t.C" and
// "<-ctx.Done()" are plain channel receives. When the source file of the
// blocking frame can be read, its line tells them apart.

// sources finds and caches source files. A frame's file is tried as
// printed (a dump from this machine), then, under each root, by ever
// shorter suffixes of its path (a dump built with -trimpath reads
// "module/path/file.go"; one from another machine "/build/src/...").
type sources struct {
	roots []string
	files map[string][]string // path as printed -> lines; nil if unreadable
}

func newSources(roots []string) *sources {
	return &sources{roots: roots, files: map[string][]string{}}
}

func (s *sources) lines(file string) []string {
	if s == nil || file == "" {
		return nil
	}
	if l, ok := s.files[file]; ok {
		return l
	}
	var lines []string
	if p := s.resolve(file); p != "" {
		lines = readLines(p)
	}
	s.files[file] = lines
	return lines
}

func (s *sources) resolve(file string) string {
	if filepath.IsAbs(file) && isFile(file) {
		return file
	}
	parts := strings.Split(filepath.ToSlash(file), "/")
	for _, root := range s.roots {
		// At least two path elements, so that a bare "main.go" does not
		// match some other program's file.
		for i := 0; i+2 <= len(parts); i++ {
			p := filepath.Join(append([]string{root}, parts[i:]...)...)
			if isFile(p) {
				return p
			}
		}
	}
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func readLines(p string) []string {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

var (
	reDoneRecv   = regexp.MustCompile(`<-\s*[\w.()]*\bDone\(\)`)
	reChanC      = regexp.MustCompile(`(?:<-|range)\s*([\w.]+)\.C\b`)
	reAfter      = regexp.MustCompile(`time\.After\(`)
	reTick       = regexp.MustCompile(`time\.Tick\(`)
	reSelectCase = regexp.MustCompile(`^\s*case\b`)
)

// refine looks at the blocking line of a chan-receive or select group and
// returns a more specific label, or the label unchanged.
func refine(l Label, lines []string, n int) Label {
	if n < 1 || n > len(lines) {
		return l
	}
	switch l {
	case ChanReceive:
		return refineRecv(l, lines[n-1], lines, n)
	case Select:
		// The blocking line is "select {"; look at its cases.
		var cases []string
		indent := leadingSpace(lines[n-1])
		for i := n; i < len(lines) && i < n+40; i++ {
			if strings.TrimSpace(lines[i]) == "}" && leadingSpace(lines[i]) == indent {
				break
			}
			if reSelectCase.MatchString(lines[i]) {
				cases = append(cases, lines[i])
			}
		}
		for _, c := range cases {
			if reDoneRecv.MatchString(c) {
				return l // it can give up: whatever it waits for, it is not a timer
			}
		}
		for _, c := range cases {
			if r := refineRecv(l, c, lines, n); r != l {
				return r
			}
		}
	}
	return l
}

func refineRecv(l Label, line string, lines []string, n int) Label {
	switch {
	case reTick.MatchString(line):
		return Ticker
	case reAfter.MatchString(line):
		return Timer
	case reDoneRecv.MatchString(line) && l == ChanReceive:
		return ContextNeverCancelled
	}
	m := reChanC.FindStringSubmatch(line)
	if m == nil {
		return l
	}
	// Find how the variable was made, looking back through the function.
	name := m[1]
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	// "t := time.NewTicker(d)", "t = time.NewTimer(d)", a parameter or
	// field "t *time.Ticker", or "var t *time.Timer".
	q := regexp.QuoteMeta(name)
	reMade := regexp.MustCompile(`\b` + q + `\b\s*(?::=|=|:)\s*time\.New(Ticker|Timer)\(|\b` + q + `\s+\*?time\.(Ticker|Timer)\b`)
	for i := n - 1; i >= 0 && i >= n-200; i-- {
		if mm := reMade.FindStringSubmatch(lines[i]); mm != nil {
			if mm[1] == "Ticker" || mm[2] == "Ticker" {
				return Ticker
			}
			return Timer
		}
	}
	return Timer // a ".C" field received from is a timer's or a ticker's
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}
