package parse

import (
	"cmp"
	"slices"
)

// builder accumulates one snapshot.
type builder struct {
	snap  *Snapshot
	count int
	ids   map[int64]struct{}
	// raw maps a block's normalized text to its group: the fast path, one
	// map lookup per goroutine after the first of each stack.
	raw map[string]*Group
	// groups maps the parsed signature to its group. Different raw texts
	// can parse to one signature (a stack printed with and without frame
	// pointers), and then share the group.
	groups map[string]*Group
	labels map[string]map[string]string // interned label sets
	// leakProfile is set while reading a goroutineleak profile at debug=1:
	// every goroutine it lists is a proven leak.
	leakProfile bool
}

func newBuilder(name string, f Format) *builder {
	return &builder{
		snap:   &Snapshot{Name: name, Format: f},
		ids:    map[int64]struct{}{},
		raw:    map[string]*Group{},
		groups: map[string]*Group{},
		labels: map[string]map[string]string{},
	}
}

func (b *builder) seen(id int64) bool {
	_, ok := b.ids[id]
	return ok
}

// add files a finished goroutine block into its group.
func (b *builder) add(g *block) {
	gr := b.raw[string(g.key)]
	if gr == nil {
		st := parseStack(g.key[g.bodyStart:])
		st.elided = g.elided
		gr = b.group(g.h.state, g.h.leaked, g.unavailable, st)
		b.raw[string(g.key)] = gr
	}
	m := Member{
		ID:          g.h.id,
		ParentID:    g.parent,
		WaitMinutes: int32(g.h.waitMinutes),
		Bubble:      int32(g.h.bubble),
		Labels:      b.internLabels(g.h.labels),
	}
	if g.h.locked {
		m.Flags |= FlagLocked
	}
	if g.h.durable {
		m.Flags |= FlagDurable
	}
	gr.Members = append(gr.Members, m)
	gr.Count++
	b.count++
}

// group returns the group of a parsed signature, creating it on first use.
func (b *builder) group(state string, leaked, unavailable bool, st stack) *Group {
	sig := signature(state, leaked, unavailable, st.frames, st.createdBy)
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
		b.groups[sig] = gr
	}
	return gr
}

func (b *builder) internLabels(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	if m, ok := b.labels[raw]; ok {
		return m
	}
	m := parseLabels(raw)
	b.labels[raw] = m
	return m
}

// finish sorts the groups in their documented total order: largest first,
// then by key.
func (b *builder) finish() *Snapshot {
	s := b.snap
	s.Groups = s.Groups[:0]
	for _, g := range b.groups {
		s.Groups = append(s.Groups, g)
	}
	slices.SortFunc(s.Groups, func(x, y *Group) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	return s
}
