// Package mutate is zkfle's mutation-testing harness: it applies one
// single-rule bug at a time from a catalogue to a scratch copy of the
// module, runs the tests that are supposed to catch that bug, and reports
// whether they did. A mutation the tests do not catch (a survivor) is a
// rule nobody checks.
//
// The catalogue (mutations/catalogue.txt) is plain text so that a reviewer
// reads each bug next to the rule it breaks. Every entry names an exact
// snippet of the file it mutates; a snippet that no longer occurs exactly
// once is an error, so an edit to the code cannot silently turn a
// mutation into a no-op. See cmd/mutate for the command and
// mutations/README.md for how to add an entry.
package mutate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Expectation is what a catalogue entry expects of its tests.
type Expectation int

const (
	// ExpectKilled: the tests must fail with the mutation applied (the
	// default, and the only state the catalogue should end in).
	ExpectKilled Expectation = iota
	// ExpectSurvives marks a known survivor: a finding whose killing
	// test does not exist yet. Owner says who or what must add it.
	ExpectSurvives
)

// String is the catalogue spelling: "killed" or "survives".
func (e Expectation) String() string {
	if e == ExpectSurvives {
		return "survives"
	}
	return "killed"
}

// Mutation is one catalogue entry: a single-rule bug and the tests that
// must catch it.
type Mutation struct {
	// ID is a short stable name (lower case, digits and dashes).
	ID string
	// File is the file to mutate, relative to the module root.
	File string
	// From is the original snippet; it must occur exactly once in File.
	From string
	// To replaces From.
	To string
	// Pkgs are the packages whose tests must kill the mutation
	// ("./fle", "./fle/sim").
	Pkgs []string
	// Run is the -run pattern selecting those tests; every package in
	// Pkgs must have at least one test it matches.
	Run string
	// Rule is the one-line rule the mutation breaks.
	Rule string
	// Expect is ExpectKilled unless the entry is a known survivor.
	Expect Expectation
	// Owner says, for a known survivor, who or what must kill it.
	Owner string
	// Line is the entry's first line in the catalogue (for errors).
	Line int
}

// ErrCatalogue is wrapped by every error in a catalogue's text.
var ErrCatalogue = errors.New("mutate: bad catalogue")

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// LoadFile parses the catalogue at path.
func LoadFile(path string) ([]Mutation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

// Parse reads a catalogue. Its format, line by line:
//
//	# a comment (only at the start of a line)
//	id:     fle-predicate-zxid        starts a new entry
//	file:   fle/predicate.go
//	rule:   zxid decides between votes of the same peer epoch
//	pkgs:   ./fle ./fle/sim            space-separated
//	run:    ^TestTotalOrderPredicate$  the go test -run pattern
//	from:   if newZxid != curZxid {   one line, trimmed at both ends
//	to:     if false {
//	expect: survives                  optional: killed (default) or survives
//	owner:  H5, fle/sim oracle        required with expect: survives
//
// A from: or to: with nothing after the colon takes the lines that follow
// and start with '|': each contributes what follows the '|', verbatim
// (tabs included), joined with newlines. Blank lines are ignored.
func Parse(r io.Reader) ([]Mutation, error) {
	p := parser{seen: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		p.n++
		if err := p.line(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.out, nil
}

// parser holds Parse's state between lines.
type parser struct {
	out  []Mutation
	cur  *Mutation
	seen map[string]int // id -> line
	n    int            // current line number
	// block is the from:/to: being read as '|' lines, and lines what
	// it has collected so far.
	block *string
	lines []string
}

func (p *parser) line(line string) error {
	if strings.HasPrefix(line, "|") {
		if p.block == nil {
			return fmt.Errorf("%w: line %d: '|' line outside a from:/to: block", ErrCatalogue, p.n)
		}
		p.lines = append(p.lines, line[1:])
		return nil
	}
	p.closeBlock()
	if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	key, val, ok := strings.Cut(line, ":")
	if !ok {
		return fmt.Errorf("%w: line %d: want key: value, got %q", ErrCatalogue, p.n, line)
	}
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	if key == "id" {
		if err := p.finish(); err != nil {
			return err
		}
		p.cur = &Mutation{ID: val, Line: p.n}
		return nil
	}
	if p.cur == nil {
		return fmt.Errorf("%w: line %d: %s: before the first id:", ErrCatalogue, p.n, key)
	}
	if (key == "from" || key == "to") && val == "" {
		p.block = &p.cur.From
		if key == "to" {
			p.block = &p.cur.To
		}
		return nil
	}
	return p.cur.set(key, val, p.n)
}

// closeBlock stores the '|' lines read so far into their from:/to:.
func (p *parser) closeBlock() {
	if p.block != nil {
		*p.block = strings.Join(p.lines, "\n")
	}
	p.block, p.lines = nil, nil
}

// finish validates the entry being read and adds it to out.
func (p *parser) finish() error {
	p.closeBlock()
	m := p.cur
	if m == nil {
		return nil
	}
	p.cur = nil
	if err := m.validate(); err != nil {
		return err
	}
	if first, dup := p.seen[m.ID]; dup {
		return fmt.Errorf("%w: line %d: id %q already used at line %d", ErrCatalogue, m.Line, m.ID, first)
	}
	p.seen[m.ID] = m.Line
	p.out = append(p.out, *m)
	return nil
}

// set assigns one single-line key.
func (m *Mutation) set(key, val string, line int) error {
	switch key {
	case "file":
		m.File = val
	case "rule":
		m.Rule = val
	case "pkgs":
		m.Pkgs = strings.Fields(val)
	case "run":
		m.Run = val
	case "from":
		m.From = val
	case "to":
		m.To = val
	case "expect":
		switch val {
		case "killed":
			m.Expect = ExpectKilled
		case "survives":
			m.Expect = ExpectSurvives
		default:
			return fmt.Errorf("%w: line %d: expect must be killed or survives, got %q", ErrCatalogue, line, val)
		}
	case "owner":
		m.Owner = val
	default:
		return fmt.Errorf("%w: line %d: unknown key %q", ErrCatalogue, line, key)
	}
	return nil
}

// validate checks an entry on its own (not against the source tree).
func (m *Mutation) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: entry %q (line %d): %s", ErrCatalogue, m.ID, m.Line, fmt.Sprintf(format, args...))
	}
	switch {
	case !idPattern.MatchString(m.ID):
		return bad("id must be lower case letters, digits and dashes")
	case m.File == "":
		return bad("no file:")
	case m.Rule == "":
		return bad("no rule:")
	case len(m.Pkgs) == 0:
		return bad("no pkgs:")
	case m.Run == "":
		return bad("no run: (name the tests that must kill it)")
	case m.From == "":
		return bad("no from:")
	case m.From == m.To:
		return bad("from: and to: are the same")
	case m.Expect == ExpectSurvives && m.Owner == "":
		return bad("expect: survives needs an owner: (who or what must kill it)")
	}
	if _, err := regexp.Compile(m.Run); err != nil {
		return bad("run: %v", err)
	}
	for _, p := range m.Pkgs {
		if !strings.HasPrefix(p, "./") {
			return bad("package %q must be a ./relative path", p)
		}
	}
	return nil
}
