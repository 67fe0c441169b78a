package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/internal/report"
	"github.com/stackdiff/stackdiff/internal/term"
	"github.com/stackdiff/stackdiff/parse"
)

// Exit codes, like diff(1).
const (
	exitOK      = 0 // no group with the failing verdict
	exitLeak    = 1 // at least one
	exitTrouble = 2 // bad flags, unreadable input, no dump
)

type config struct {
	json, all, quiet bool
	version          bool
	noSource         bool
	html, pprof      string
	lines            bool
	frames, minDelta int
	failOn, match    string
	color            string
	ignore           []string
	byLabel          string // split groups by this pprof label's value (labels.go)
	sourceRoots      []string
	waitThreshold    int
	interval         time.Duration // between fetches of one URL
	count            int           // fetches of one URL
	timeout          time.Duration // per fetch
	watch            bool          // fetch URLs each interval and report events (watch.go)
	threshold        int           // with --watch: goroutines at one site that raise an event
	leakProfile      bool          // with --watch: fetch the goroutineleak profile
	// readingStdin, if set, is called before standard input is read: main
	// uses it to ignore the signals a pipeline's Ctrl-C and Ctrl-\ send.
	readingStdin func()
	// passApp passes the lines of standard input that are not part of a
	// dump through to stderr as they arrive (passthrough.go): main sets
	// it when standard input is a pipe, `./app 2>&1 | stackdiff`.
	passApp bool
}

const usage = `Usage:
  stackdiff [flags] BEFORE AFTER     compare two goroutine dumps
  stackdiff [flags] DUMP             postmortem summary of one dump
  stackdiff [flags] D1 D2 D3 ...     a series: first against last, with trends
  stackdiff [flags] [-]              read the dump(s) from standard input
  stackdiff --watch [flags] URL ...  watch live services, report leaks as they appear

Exit status: 0 no leak, 1 leak found, 2 trouble.

Flags:
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(config{}, args, stdin, stdout, stderr)
}

// runWith is run with a config that the flags fill in: main's hooks.
func runWith(c config, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("stackdiff", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprint(stdout, usage)
		fs.PrintDefaults()
		fmt.Fprintln(stdout, "\nFor details, see https://pkg.go.dev/github.com/stackdiff/stackdiff/cmd/stackdiff")
	}
	fs.BoolVar(&c.json, "json", false, "print the report as JSON (schema version 1)")
	fs.StringVar(&c.html, "html", "", "also write a self-contained HTML report to `FILE`")
	fs.StringVar(&c.pprof, "pprof", "", "also write the groups as a gzipped pprof profile to `FILE` (go tool pprof -tagfocus verdict=leak FILE)")
	fs.BoolVar(&c.lines, "lines", false, "print one file:line: line per leak and suspect group, for editors and CI")
	fs.BoolVar(&c.all, "all", false, "show every group, not only those that changed or look wrong")
	fs.IntVar(&c.frames, "frames", 6, "show at most `N` frames of each leak or suspect group's stack (0: none)")
	fs.IntVar(&c.minDelta, "min-delta", 0, "in a diff, hide ok groups with fewer than `N` new goroutines")
	fs.StringVar(&c.failOn, "fail-on", "leak", "exit 1 when a group has this verdict or worse: `leak|suspect|never`")
	fs.StringVar(&c.match, "match", "auto", "match goroutines by `auto|id|stack`")
	fs.StringArrayVar(&c.ignore, "ignore", nil, "ignore groups with this `FUNC` anywhere in the stack (top:FUNC for the top function or SITE, creator:FUNC for the creator, label:KEY=VALUE for goroutines with that pprof label); a name as the report prints it, or its last part, works; repeatable")
	fs.StringVar(&c.byLabel, "by-label", "", "split groups by the value of the pprof label `KEY` (\"leaks only under endpoint=/api/export\")")
	fs.StringArrayVar(&c.sourceRoots, "source-root", nil, "look for source files under `DIR` to tell timers, tickers and contexts apart; repeatable")
	fs.BoolVar(&c.noSource, "no-source", false, "read no source file (neither in the current directory nor under --source-root)")
	fs.IntVar(&c.waitThreshold, "wait-threshold", 0, "a group blocked for `N` minutes or more is a suspect, whatever it waits for (default: per kind of wait, 1 min for a mutex ... none for a channel receive)")
	fs.DurationVar(&c.interval, "interval", 0, "fetch a URL input twice (or --count times), `D` apart: a before and an after of a live process; with --watch, between rounds (default 10s)")
	fs.IntVar(&c.count, "count", 0, "with a URL input, fetch it `N` times (a series; default 2 with --interval); with --watch, stop after N rounds")
	fs.BoolVar(&c.watch, "watch", false, "fetch every URL each --interval (default 10s) until interrupted or --count, and report leaks as they appear")
	fs.IntVar(&c.threshold, "threshold", 1000, "with --watch: report a group of `N` or more goroutines at one site (0: never)")
	fs.BoolVar(&c.leakProfile, "leak-profile", false, "with --watch: insist on /debug/pprof/goroutineleak and its (leaked) marks (a debug=2 watch asks for it by itself, and falls back where it is not served)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "give up on a URL that has not answered in full after `D`")
	fs.StringVar(&c.color, "color", "auto", "colour the text report: `auto|always|never`")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "print nothing; only set the exit status")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	// --leakprofile is the spelling of before kebab-case; it still works.
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "leakprofile" {
			name = "leak-profile"
		}
		return pflag.NormalizedName(name)
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		complain(stderr, "%v", err)
		fmt.Fprintln(stderr, "Run 'stackdiff --help' for usage.")
		return exitTrouble
	}
	if !c.watch && (fs.Changed("threshold") || c.leakProfile) {
		complain(stderr, "--threshold and --leak-profile need --watch")
		return exitTrouble
	}
	if err := c.check(); err != nil {
		complain(stderr, "%v", err)
		return exitTrouble
	}
	if c.version {
		fmt.Fprintln(stdout, "stackdiff", version())
		return exitOK
	}
	paths := fs.Args()
	if c.watch {
		if len(paths) == 0 || c.html != "" || c.pprof != "" || c.lines {
			complain(stderr, "--watch takes one or more URLs, and no --html, --pprof or --lines")
			return exitTrouble
		}
		return c.runWatch(paths, stdout, stderr)
	}
	if len(paths) == 0 {
		if term.IsTerminal(stdin) {
			// Nothing to read and nobody piping: waiting on the terminal
			// would look like a hang. Say how to use it instead, as jq does.
			fs.SetOutput(stderr)
			fmt.Fprint(stderr, usage)
			fs.PrintDefaults()
			return exitTrouble
		}
		paths = []string{"-"}
	}
	outs := []*output{
		{flag: "--html", path: c.html, kind: htmlOutput, write: report.HTML},
		{flag: "--pprof", path: c.pprof, kind: pprofOutput, write: report.WriteProfile},
	}
	in := inputFiles{paths: paths}
	if f, ok := stdin.(*os.File); ok && slices.Contains(paths, "-") {
		in.stdin = f
	}
	for _, o := range outs {
		if o.path == "" {
			if fs.Changed(strings.TrimPrefix(o.flag, "--")) {
				complain(stderr, "%s needs a file name", o.flag)
				return exitTrouble
			}
			continue
		}
		var err error
		if o.target, err = checkOutput(o.path, in, o.kind); err != nil {
			complain(stderr, "%s %s: %v", o.flag, o.path, err)
			return exitTrouble
		}
	}
	if sameTarget(outs[0].target, outs[1].target) {
		complain(stderr, "--html and --pprof name the same file, %s; give each its own", c.pprof)
		return exitTrouble
	}
	snaps, code := c.load(paths, stdin, stderr)
	if code != exitOK {
		return code
	}
	if c.match == "id" {
		for _, s := range snaps {
			if s.Format == parse.FormatDebug1 || s.Format == parse.FormatProto {
				complain(stderr, "--match id: %s is a %s profile, which has no goroutine IDs; use --match stack or auto", s.Name, s.Format)
				return exitTrouble
			}
		}
	}
	for _, s := range snaps {
		c.splitByLabels(s)
	}
	c.warnUnusedByLabel(snaps, stderr)
	rep := classify.Compare(snaps, c.options())
	c.warnUnusedIgnores(rep, stderr)
	if !c.quiet {
		for _, h := range hints(paths, snaps, rep) {
			complain(stderr, "hint: %s", h)
		}
	}
	var written []string
	for _, o := range outs {
		if o.target == "" {
			continue
		}
		check := func() error { return recheckOutput(o.target, in, o.kind, written) }
		err := writeFileAtomic(o.target, o.flag+" "+o.path, check, func(w io.Writer) error { return o.write(w, rep) })
		if err != nil {
			complain(stderr, "%v", err)
			return exitTrouble
		}
		written = append(written, o.target)
	}
	if !c.quiet {
		var err error
		switch {
		case c.json:
			var cut int
			if cut, err = report.WriteJSON(stdout, rep); cut > 0 {
				complain(stderr, "warning: the JSON lists %d of %d groups (%d MiB); groups_cut counts the rest",
					len(rep.Groups)-cut, len(rep.Groups), report.MaxJSONGroups>>20)
			}
		case c.lines:
			err = report.Lines(stdout, rep, c.relPath())
		default:
			opts := report.Options{All: c.all, Frames: c.frames, MinDelta: c.minDelta, Color: report.UseColor(c.color, stdout), FlagHints: true, SourceHint: !c.noSource}
			opts.Width = term.Width(stdout)
			err = report.Text(stdout, rep, opts)
		}
		if err != nil {
			complain(stderr, "%v", err)
			return exitTrouble
		}
	}
	return c.exitCode(rep)
}

func (c *config) check() error {
	switch {
	case c.failOn != "leak" && c.failOn != "suspect" && c.failOn != "never":
		return fmt.Errorf("--fail-on must be leak, suspect or never, not %q", c.failOn)
	case c.match != "auto" && c.match != "id" && c.match != "stack":
		return fmt.Errorf("--match must be auto, id or stack, not %q", c.match)
	case c.color != "auto" && c.color != "always" && c.color != "never":
		return fmt.Errorf("--color must be auto, always or never, not %q", c.color)
	case c.frames < 0:
		return errors.New("--frames must be >= 0")
	case c.minDelta < 0:
		return errors.New("--min-delta must be >= 0")
	case c.waitThreshold < 0:
		return errors.New("--wait-threshold must be >= 1 (or 0: per kind of wait)")
	case c.interval < 0 || c.count < 0 || c.timeout <= 0:
		return errors.New("--interval and --count must be >= 0, --timeout > 0")
	case c.badLabelIgnore() != nil:
		return c.badLabelIgnore()
	case c.json && c.lines:
		return errors.New("--json and --lines are two forms of one report: pick one")
	case c.threshold < 0:
		return errors.New("--threshold must be >= 0")
	case c.count == 1:
		return errors.New("--count must be at least 2: one fetch is just the URL")
	case !c.watch && c.count > parse.MaxSnapshots:
		return fmt.Errorf("--count %d: a series keeps at most %d snapshots; --watch follows a service for longer in bounded memory", c.count, parse.MaxSnapshots)
	}
	return nil
}

func (c *config) options() *classify.Options {
	o := &classify.Options{Match: classify.MatchMode(c.match), WaitThreshold: c.waitThreshold}
	if !c.noSource {
		// Sources are looked for under the current directory too: a dump
		// of a program built here names files under it (or, built with
		// -trimpath, under the module path of its go.mod).
		for _, root := range append([]string{"."}, c.sourceRoots...) {
			o.Sources = append(o.Sources, classify.SourceDir(root))
		}
	}
	for _, ig := range c.ignore {
		o.Ignore = append(o.Ignore, parseIgnore(ig))
	}
	return o
}

// parseIgnore reads one --ignore: FUNC, top:FUNC or creator:FUNC, the
// same ignores as capture's IgnoreAnyFunction, IgnoreTopFunction and
// IgnoreCreatedBy.
func parseIgnore(spec string) classify.Ignore {
	if key, value, ok, _ := labelIgnore(spec); ok {
		return classify.IgnoreLabel(key, value) // checked by check
	}
	if f, ok := strings.CutPrefix(spec, "top:"); ok {
		return classify.IgnoreTopFunction(f)
	}
	if f, ok := strings.CutPrefix(spec, "creator:"); ok {
		return classify.IgnoreCreatedBy(f)
	}
	return classify.IgnoreAnyFunction(spec)
}

// warnUnusedIgnores says which --ignore matched nothing: most likely a
// misspelt name, which would otherwise hide nothing silently.
func (c *config) warnUnusedIgnores(r *classify.Report, stderr io.Writer) {
	for i, n := range r.IgnoreHits {
		if n == 0 {
			complain(stderr, "warning: --ignore %s matched no goroutine", c.ignore[i])
		}
	}
}

func (c *config) exitCode(r *classify.Report) int {
	for _, g := range r.Groups {
		switch {
		case c.failOn == "leak" && g.Verdict == classify.Leak,
			c.failOn == "suspect" && g.Verdict != classify.OK:
			return exitLeak
		}
	}
	return exitOK
}
