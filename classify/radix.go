package classify

// sortByID sorts goroutines by ID with an LSD radix sort on 16-bit digits:
// a diff of two dumps of a million goroutines sorts two million IDs, and a
// comparison sort spent 300 ms on it. IDs are non-negative and rarely above
// 2^32, so passes whose digit is the same for every ID are skipped.
// buf is scratch space of at least len(s), so that sorting two lists can
// share it.
func sortByID(s, buf []seen) {
	if len(s) < 256 {
		insertionSortByID(s)
		return
	}
	var or uint64
	for _, x := range s {
		or |= uint64(x.id)
	}
	src, dst := s, buf[:len(s)]
	for shift := uint(0); shift < 64; shift += 16 {
		if or>>shift == 0 {
			break
		}
		var count [1 << 16]int
		for _, x := range src {
			count[uint16(uint64(x.id)>>shift)]++
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, x := range src {
			d := uint16(uint64(x.id) >> shift)
			dst[count[d]] = x
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}

func insertionSortByID(s []seen) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].id < s[j-1].id; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
