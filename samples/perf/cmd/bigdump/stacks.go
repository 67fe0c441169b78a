package main

// The K distinct stacks are built from ten near-identical functions. Class c
// walks the decimal digits of c, least significant first and padded with
// leading zeros to a fixed depth, calling levelD for each digit D, then blocks
// in a way chosen by c. Two classes therefore never share a frame sequence,
// all stacks have the same depth, which grows with log10(K) only (stacks stay
// well under the 2 KB a goroutine starts with), and the arguments depend on
// the class alone, so goroutines of one class differ only where the runtime
// itself prints per-goroutine values, exactly like a real pile-up.

// sentinel is a power of ten added to the class so that the walk also visits
// the leading zeros: it stops when only the sentinel's 1 is left. Set once
// by setDepth before any worker starts.
var sentinel = 10

// setDepth makes every stack at least depth levels deep and deep enough to
// spell every class below stacks.
func setDepth(depth, stacks int) {
	sentinel = 10
	for d := 1; d < depth || sentinel < stacks; d++ {
		sentinel *= 10
	}
}

// levels is indexed by digit. An indirect call through a table (instead of a
// switch in a helper) keeps the helper's frame out of the dump; it is filled
// in init because the level functions refer to it (initialization cycle).
var levels [10]func(class, rest int)

func init() {
	levels = [10]func(class, rest int){
		level0, level1, level2, level3, level4,
		level5, level6, level7, level8, level9,
	}
}

// worker is the goroutine entry point of every blocked goroutine.
func worker(class int) {
	rest := class + sentinel
	levels[rest%10](class, rest/10)
}

// Each level either descends into the next digit or, when only the sentinel
// is left, blocks. noinline keeps every level as a visible frame.

//go:noinline
func level0(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level1(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level2(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level3(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level4(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level5(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level6(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level7(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level8(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}

//go:noinline
func level9(class, rest int) {
	if rest == 1 {
		block(class)
		return
	}
	levels[rest%10](class, rest/10)
}
