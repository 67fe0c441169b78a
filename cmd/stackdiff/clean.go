package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/stackdiff/stackdiff/internal/safetext"
)

// complain writes one line to stderr: "stackdiff: " and the message,
// since messages quote inputs (file names, dump lines, HTTP error bodies),
// each string or error of args through the gate (URL passwords hidden,
// length capped, anything a terminal would act on escaped), then the line
// again, uncapped: a long file name and a long warning are each cut, and
// the number each shows stays true.
func complain(stderr io.Writer, format string, args ...any) {
	gated := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			gated[i] = safetext.String(v)
		case error:
			gated[i] = safetext.String(v.Error())
		case fmt.Stringer:
			gated[i] = safetext.String(v.String())
		default:
			gated[i] = a
		}
	}
	fmt.Fprintf(stderr, "stackdiff: %s\n", safetext.Line(fmt.Sprintf(format, gated...)))
}

// redact hides the password of a URL (http://user:xxxxx@host/...): input
// names are printed in reports and errors, which end up in tickets and
// logs.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err == nil {
		return u.Redacted()
	}
	// Unparsable: cut whatever stands between the scheme and an '@' of the
	// authority, which is where a password would be.
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		return scheme + "://xxxxx" + rest[i:]
	}
	return rawURL
}
