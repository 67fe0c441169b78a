package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// This is the lexer design of text/template before Go 1.20 (Rob Pike's 2011
// talk "Lexical Scanning in Go"): a goroutine runs state functions and emits
// items on an unbuffered channel. A parser that stops reading early leaves the
// lexer blocked in emit for ever; text/template fixed it by dropping the
// goroutine.

type itemType int

const (
	itemEOF itemType = iota
	itemNumber
	itemWord
)

type item struct {
	typ itemType
	val string
}

type lexer struct {
	input string
	start int
	pos   int
	items chan item
}

type stateFn func(*lexer) stateFn

func lex(input string) *lexer {
	l := &lexer{input: input, items: make(chan item)}
	go l.run()
	return l
}

func (l *lexer) run() {
	for state := lexSpace; state != nil; {
		state = state(l)
	}
	close(l.items)
}

// emit passes an item to the parser and blocks until the parser takes it.
func (l *lexer) emit(t itemType) {
	l.items <- item{t, l.input[l.start:l.pos]}
	l.start = l.pos
}

func (l *lexer) acceptRun(ok func(rune) bool) {
	for l.pos < len(l.input) && ok(rune(l.input[l.pos])) {
		l.pos++
	}
}

func lexSpace(l *lexer) stateFn {
	l.acceptRun(unicode.IsSpace)
	l.start = l.pos
	switch {
	case l.pos == len(l.input):
		l.emit(itemEOF)
		return nil
	case unicode.IsDigit(rune(l.input[l.pos])):
		return lexNumber
	default:
		return lexWord
	}
}

func lexNumber(l *lexer) stateFn {
	l.acceptRun(unicode.IsDigit)
	l.emit(itemNumber)
	return lexSpace
}

func lexWord(l *lexer) stateFn {
	l.acceptRun(func(r rune) bool { return !unicode.IsSpace(r) })
	l.emit(itemWord)
	return lexSpace
}

// sumNumbers parses a list of numbers and gives up at the first item that is
// not one, without telling the lexer.
func sumNumbers(input string, h *hatch) (int, error) {
	l := lex(input)
	sum := 0
	for it := range l.items {
		switch it.typ {
		case itemEOF:
			return sum, nil
		case itemNumber:
			n, _ := strconv.Atoi(it.val)
			sum += n
		default:
			h.add(func() { // scaffolding: stop drains the lexer so it can finish
				for range l.items {
				}
			})
			return 0, fmt.Errorf("want a number, got %q", it.val)
		}
	}
	return sum, nil
}

// goroutine-lexer: stop reads the lexer's remaining items until it closes the
// channel and returns.
func goroutineLexer() Scenario {
	return Scenario{
		Name:      "goroutine-lexer",
		Doc:       "The old text/template lexer pattern: a lexer goroutine emits items on an unbuffered channel and the parser aborts after the first item.",
		Leaks:     true,
		Want:      "chan-send",
		WantCount: 1,
		Run:       runGoroutineLexer,
	}
}

func runGoroutineLexer() func() {
	p := newProbe()
	var h hatch
	if _, err := sumNumbers("total "+strings.Repeat("1 ", 5), &h); err == nil {
		panic("scenarios: goroutine-lexer: the parser did not abort")
	}
	p.await(want{"chan send", fn("(*lexer).emit"), 1})
	return stopper(p, h.open)
}
