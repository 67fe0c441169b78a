package capture

import (
	"time"

	"github.com/stackdiff/stackdiff/classify"
	"github.com/stackdiff/stackdiff/parse"
)

// DefaultMaxWait is how long [VerifyNone], [VerifyTestMain] and [Diff]
// wait for goroutines to finish or settle when no [MaxWait] is given.
const DefaultMaxWait = 3 * time.Second

// Option tunes [Diff], [VerifyNone], [VerifyTestMain], [Find], [Check]
// and a [Monitor]'s report. Options are built only by this package's functions (the
// interface is sealed, as in goleak), so new ones can be added freely.
type Option interface {
	apply(*opts)
}

// optionFunc lets each option be a closure.
type optionFunc func(*opts)

func (f optionFunc) apply(o *opts) { f(o) }

type opts struct {
	ignore    []classify.Ignore
	ignoreIDs map[int64]bool
	maxWait   time.Duration
	// byLabel and splitOff are the label options (labelopts.go): the keys
	// to split groups by, and the key=value pairs IgnoreLabel ignores.
	byLabel  []string
	splitOff [][2]string
	// errs are failures of options built earlier (IgnoreCurrent could not
	// read the goroutines), reported where the options are used.
	errs []error
}

func buildOpts(options []Option) *opts {
	o := &opts{maxWait: DefaultMaxWait, ignoreIDs: map[int64]bool{}}
	for _, opt := range options {
		if opt != nil {
			opt.apply(o)
		}
	}
	return o
}

// IgnoreTopFunction ignores goroutines whose top function is f: the
// first frame printed, or the first outside package runtime. Names match
// as [classify.FuncMatches] says: fully qualified
// ("net/http.(*persistConn).readLoop"), as reports print them
// ("http.(*persistConn).readLoop"), or a shorter suffix ("readLoop").
// It is [classify.IgnoreTopFunction], the CLI's --ignore top:f.
func IgnoreTopFunction(f string) Option {
	return Ignore(classify.IgnoreTopFunction(f))
}

// IgnoreAnyFunction ignores goroutines with f anywhere in their stack
// ([classify.IgnoreAnyFunction], the CLI's --ignore f).
func IgnoreAnyFunction(f string) Option {
	return Ignore(classify.IgnoreAnyFunction(f))
}

// IgnoreCreatedBy ignores goroutines started by a go statement in function
// f ("created by f"; [classify.IgnoreCreatedBy], the CLI's --ignore
// creator:f).
func IgnoreCreatedBy(f string) Option {
	return Ignore(classify.IgnoreCreatedBy(f))
}

// Ignore ignores the goroutines ig matches: any matcher over a stack,
// with the words the report gives as evidence.
func Ignore(ig classify.Ignore) Option {
	return optionFunc(func(o *opts) { o.ignore = append(o.ignore, ig) })
}

// IgnoreCurrent ignores every goroutine that exists when IgnoreCurrent is
// called, by ID (IDs are never reused within a process), including the
// caller. Build it before the code under test starts its goroutines.
func IgnoreCurrent() Option {
	_, s, err := snapshot(0, "current")
	ids := map[int64]bool{}
	if err == nil {
		for _, g := range s.Groups {
			for _, m := range g.Members {
				ids[m.ID] = true
			}
		}
	}
	return optionFunc(func(o *opts) {
		if err != nil {
			o.errs = append(o.errs, err)
		}
		for id := range ids {
			o.ignoreIDs[id] = true
		}
	})
}

// MaxWait sets how long to wait for goroutines to finish ([VerifyNone],
// [VerifyTestMain]) or to settle ([Diff]). The default is [DefaultMaxWait].
func MaxWait(d time.Duration) Option {
	return optionFunc(func(o *opts) { o.maxWait = d })
}

// classifyOptions passes the ignores on to classify, which gives the
// groups they match the verdict ok and says why: Diff, the Monitor and
// VerifyNone ignore through the one mechanism the CLI uses too.
func (o *opts) classifyOptions() *classify.Options {
	return &classify.Options{
		// Diff's and the Monitor's snapshots come from this process, so an
		// ID in both is the same goroutine, even when the first snapshot
		// is too small for classify to be sure of it on its own.
		Match:  classify.MatchID,
		Ignore: o.ignore,
	}
}

// dropIgnored removes the goroutines IgnoreCurrent recorded.
func (o *opts) dropIgnored(s *parse.Snapshot) {
	if len(o.ignoreIDs) > 0 {
		dropIDs(s, func(id int64) bool { return o.ignoreIDs[id] })
	}
}
