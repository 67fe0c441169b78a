package report

// copyAll is v in a new slice (never nil, [] in JSON): the writers gate
// the strings of what they print in place (safetext.Walk), and must not
// change the report they were given.
func copyAll(v []string) []string {
	out := make([]string, len(v))
	copy(out, v)
	return out
}
