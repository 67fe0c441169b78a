package classify

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortByID compares the radix sort with a stable comparison sort (radix
// sorts are stable too), on small and large inputs and on IDs of every size.
func TestSortByID(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{0, 1, 5, 255, 256, 10000} {
		for _, limit := range []int64{10, 1 << 20, 1 << 40} {
			s := make([]seen, n)
			for i := range s {
				s[i] = seen{id: r.Int64N(limit), wait: int32(i)}
			}
			want := slices.Clone(s)
			slices.SortStableFunc(want, func(a, b seen) int {
				switch {
				case a.id < b.id:
					return -1
				case a.id > b.id:
					return 1
				}
				return 0
			})
			sortByID(s, make([]seen, len(s)))
			if !slices.Equal(s, want) {
				t.Errorf("n=%d limit=%d: radix sort differs from a stable sort", n, limit)
			}
		}
	}
}
