package parse

// idSet is the set of goroutine IDs of one snapshot, needed to tell a
// repeated ID (a new dump, or a GOTRACEBACK=crash repeat) from a new one.
// IDs are dense in practice (the runtime hands them out in batches, and a
// dump lists them roughly in creation order), so the set is a bitmap in
// pages of 64Ki IDs, and the page of the last lookup is kept at hand. Sparse
// IDs (a long-running process whose surviving goroutines are scattered over
// billions of IDs) would waste pages: past maxPages the set switches to a
// map. The first few IDs are kept in a short list: a page is 8 KB, and an
// input of a million one-goroutine dumps (one ID repeated) has a million
// sets.
type idSet struct {
	few      []int64 // the IDs while there are at most maxFew, else nil
	paged    bool    // past maxFew: the IDs are in pages or sparse
	pages    map[int64]*idPage
	lastKey  int64
	lastPage *idPage
	sparse   map[int64]struct{}
}

type idPage [1024]uint64 // 64Ki bits

const maxPages = 256 // 2 MB of pages

// maxFew is the number of IDs kept in the list before pages.
const maxFew = 16

// add inserts id and reports whether it was already there.
func (s *idSet) add(id int64) (seen bool) {
	if !s.paged {
		for _, x := range s.few {
			if x == id {
				return true
			}
		}
		if len(s.few) < maxFew {
			s.few = append(s.few, id)
			return false
		}
		s.paged = true
		for _, x := range s.few {
			s.add(x)
		}
		s.few = nil
	}
	if s.sparse != nil {
		_, seen = s.sparse[id]
		s.sparse[id] = struct{}{}
		return seen
	}
	key, bit := id>>16, uint64(id)&0xffff
	p := s.lastPage
	if p == nil || key != s.lastKey {
		if s.pages == nil {
			s.pages = map[int64]*idPage{}
		}
		p = s.pages[key]
		if p == nil {
			if len(s.pages) >= maxPages {
				s.toSparse()
				return s.add(id)
			}
			p = new(idPage)
			s.pages[key] = p
		}
		s.lastKey, s.lastPage = key, p
	}
	w, m := bit>>6, uint64(1)<<(bit&63)
	seen = p[w]&m != 0
	p[w] |= m
	return seen
}

// has reports whether id is in the set.
func (s *idSet) has(id int64) bool {
	if !s.paged {
		for _, x := range s.few {
			if x == id {
				return true
			}
		}
		return false
	}
	if s.sparse != nil {
		_, ok := s.sparse[id]
		return ok
	}
	p := s.pages[id>>16]
	if p == nil {
		return false
	}
	bit := uint64(id) & 0xffff
	return p[bit>>6]&(uint64(1)<<(bit&63)) != 0
}

func (s *idSet) toSparse() {
	s.sparse = map[int64]struct{}{}
	for key, p := range s.pages {
		for w, word := range p {
			for b := 0; word != 0; b++ {
				if word&1 != 0 {
					s.sparse[key<<16|int64(w*64+b)] = struct{}{}
				}
				word >>= 1
			}
		}
	}
	s.pages, s.lastPage = nil, nil
}
