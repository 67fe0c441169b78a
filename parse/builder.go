package parse

import (
	"fmt"
	"slices"
)

// builder accumulates one snapshot.
type builder struct {
	moreWarnings int // warnings beyond MaxWarnings, counted, not kept
	snap         *Snapshot
	count        int
	ids          idSet
	// raw maps a block's normalized text to its group: the fast path, one
	// map lookup per goroutine after the first of each stack.
	raw map[string]*Group
	// byShape maps the shapes interned by parallel lexing to their groups.
	byShape map[*shape]*Group
	// groups maps the parsed signature to its group. Different raw texts
	// can parse to one signature (a stack printed with and without frame
	// pointers), and then share the group.
	groups map[string]*Group
	labels map[string]internedLabels // label sets by their raw text
	// labelSets indexes each aggregated group's LabelSets by label key.
	labelSets groupLabels
	// leakProfile is set while reading a goroutineleak profile at debug=1:
	// every goroutine it lists is a proven leak.
	leakProfile bool
	ancestry    *ancestryBuilder // nil until a goroutine shows its ancestry
	// badCounts counts the records (debug=1) or samples (protobuf) skipped
	// for a count out of range; firstBad is the first such count.
	badCounts int
	firstBad  string
	// total is N from a debug=1 profile's "total N" line (0 if none), and
	// strayFrames counts its frame lines outside any record.
	total       int
	strayFrames int
}

// admitCount reports whether an aggregated record of n goroutines may be
// added: 1 ≤ n and the snapshot stays within MaxCount, so that no sum
// overflows.
func (b *builder) admitCount(n int64) bool {
	return n >= 1 && n <= MaxCount-int64(b.count)
}

// badCount records a record skipped for its count.
func (b *builder) badCount(n string) {
	if b.badCounts == 0 {
		b.firstBad = n
	}
	b.badCounts++
}

// newBuilder starts a snapshot. Its maps are made on first use: an input
// of a million tiny dumps (one goroutine ID repeated) starts a million
// builders.
func newBuilder(name string, f Format) *builder {
	return &builder{snap: &Snapshot{Name: name, Format: f}}
}

func (b *builder) seen(id int64) bool {
	return b.ids.has(id)
}

// add files a finished goroutine block into its group.
func (b *builder) add(g *block) {
	b.addTo(b.groupOf(g), g)
}

// groupOf returns the group of a block from its normalized key, parsing the
// stack only the first time the key is seen.
func (b *builder) groupOf(g *block) *Group {
	return b.groupOfParsed(g, nil)
}

// groupOfParsed is groupOf for a block whose stack a worker may already
// have parsed (st, or nil).
func (b *builder) groupOfParsed(g *block, parsed *stack) *Group {
	return b.groupOfShape(g, parsed, "")
}

// groupOfShape is groupOfParsed given the signature too, when it is known
// ("" when not): a shape's signature is built once for all snapshots.
func (b *builder) groupOfShape(g *block, parsed *stack, sig string) *Group {
	gr := b.raw[string(g.key)]
	if gr == nil {
		var st stack
		if parsed != nil {
			st = *parsed
		} else {
			st = parseStack(g.key[g.bodyStart:])
		}
		st.elided = g.totalElided()
		if sig == "" {
			sig = signature(g.h.state, g.h.leaked, g.unavailable, st.frames, st.createdBy)
		}
		gr = b.groupSig(sig, g.h.state, g.h.leaked, g.unavailable, st)
		if b.raw == nil {
			b.raw = map[string]*Group{}
		}
		b.raw[string(g.key)] = gr
	}
	return gr
}

// addTo adds the goroutine of block g to group gr.
func (b *builder) addTo(gr *Group, g *block) {
	if e := g.totalElided(); e > gr.Elided {
		// "...N frames elided..." is normalized out of the key, so one
		// group may see several N: keep the largest, whatever the order.
		gr.Elided = e
	}
	labels := b.internLabels(g.h.labels)
	m := Member{
		ID:          g.h.id,
		ParentID:    g.parent,
		WaitMinutes: int32(g.h.waitMinutes),
		Bubble:      int32(g.h.bubble),
		Labels:      labels.m,
	}
	if labels.m != nil {
		b.addLabelSet(gr, labels, 1)
	}
	if g.h.locked {
		m.Flags |= FlagLocked
	}
	if g.h.durable {
		m.Flags |= FlagDurable
	}
	if g.anc != nil {
		b.addAncestry(g.h.id, g.anc)
	}
	if len(gr.Members) == cap(gr.Members) {
		// Double, rather than append's 1.25 for long slices: a million
		// 40-byte members were allocated five times over and copied four.
		gr.Members = slices.Grow(gr.Members, max(8, len(gr.Members)))
	}
	gr.Members = append(gr.Members, m)
	gr.Count++
	b.count++
}

// group returns the group of a parsed signature, creating it on first use.
func (b *builder) group(state string, leaked, unavailable bool, st stack) *Group {
	return b.groupSig(signature(state, leaked, unavailable, st.frames, st.createdBy), state, leaked, unavailable, st)
}

// groupSig is group with the signature already built.
func (b *builder) groupSig(sig, state string, leaked, unavailable bool, st stack) *Group {
	gr := b.groups[sig]
	if gr == nil {
		gr = &Group{
			Key:         sig,
			State:       state,
			Leaked:      leaked,
			Frames:      st.frames,
			CreatedBy:   st.createdBy,
			Elided:      st.elided,
			Unavailable: unavailable,
		}
		if b.groups == nil {
			b.groups = map[string]*Group{}
		}
		b.groups[sig] = gr
	} else if c := st.createdBy; c != nil && gr.CreatedBy != nil && frameBefore(*c, *gr.CreatedBy) {
		// The signature keeps only the creator's function: goroutines
		// started from two lines of it share the group. Keep the first
		// line, not the first goroutine's, so dump order does not matter.
		gr.CreatedBy = c
	}
	if st.elided > gr.Elided {
		gr.Elided = st.elided
	}
	return gr
}

// frameBefore orders frames by file, then line.
func frameBefore(a, b Frame) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Line < b.Line
}

// internedLabels is a label set decoded once per distinct raw text, with
// its canonical key (labelKey): a million goroutines of a few label sets
// share a few maps.
type internedLabels struct {
	m   map[string]string
	key string
}

func (b *builder) internLabels(raw string) internedLabels {
	if raw == "" {
		return internedLabels{}
	}
	if l, ok := b.labels[raw]; ok {
		return l
	}
	l := internedLabels{m: parseLabels(raw)}
	if l.m != nil {
		l.key = labelKey(l.m)
	}
	if b.labels == nil {
		b.labels = map[string]internedLabels{}
	}
	b.labels[raw] = l
	return l
}

// finish sorts the groups in their documented total order: largest first,
// then by key.
func (b *builder) finish() *Snapshot {
	s := b.snap
	if b.badCounts > 0 {
		what := "record"
		if s.Format == FormatProto {
			what = "sample"
		}
		s.Warnings = append(s.Warnings, fmt.Sprintf(
			"skipped %d %s with a goroutine count ≤ 0 or beyond %d in all (the first: %s)",
			b.badCounts, plural(b.badCounts, what), MaxCount, b.firstBad))
	}
	if b.strayFrames > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("skipped %d frame %s outside any record",
			b.strayFrames, plural(b.strayFrames, "line")))
	}
	if b.total > 0 && b.total != b.count {
		s.Warnings = append(s.Warnings, fmt.Sprintf("the profile says total %d; its records hold %d", b.total, b.count))
	}
	if b.moreWarnings > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("and %d more %s like those above", b.moreWarnings, plural(b.moreWarnings, "warning")))
	}
	s.Groups = s.Groups[:0]
	for _, g := range b.groups {
		s.Groups = append(s.Groups, g)
		b.labelSets[g].sort(g.LabelSets)
	}
	SortGroups(s.Groups)
	return s
}

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
