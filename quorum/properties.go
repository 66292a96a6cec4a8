package quorum

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// property is one key=value pair of a java.util.Properties text.
type property struct {
	key, value string
}

// loadProperties reads text the way java.util.Properties.load(Reader)
// does and returns the pairs in first-seen key order; a repeated key keeps
// its last value, as Properties (a Hashtable) does.
//
// The syntax, restated from Properties' documentation:
//   - lines end at \n, \r or \r\n; leading spaces, tabs and form feeds are
//     skipped; blank lines are ignored;
//   - a line whose first non-blank char is # or ! is a comment;
//   - an odd number of backslashes at the end of a line joins the next
//     line to it, minus that line's leading blanks (a backslash at the end
//     of the text is dropped);
//   - the key runs to the first unescaped '=', ':' or blank; blanks, then
//     one '=' or ':', then blanks, separate it from the value;
//   - \t \n \r \f and \uXXXX are escapes, any other \c is c.
func loadProperties(text string) ([]property, error) {
	if !utf8.ValidString(text) {
		return nil, wrapf(ErrSyntax, "config is not valid UTF-8: %q", text)
	}
	var out []property
	var index map[string]int
	for _, line := range logicalLines(text) {
		keyEnd, valueStart := splitKeyValue(line)
		key, err := unescape(line[:keyEnd])
		if err != nil {
			return nil, err
		}
		value, err := unescape(line[valueStart:])
		if err != nil {
			return nil, err
		}
		if index == nil {
			index = make(map[string]int)
		}
		if i, seen := index[key]; seen {
			out[i].value = value
			continue
		}
		index[key] = len(out)
		out = append(out, property{key, value})
	}
	return out, nil
}

// isBlank is Properties' whitespace: space, tab, form feed.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

// logicalLines joins continued lines and drops comments and blank lines,
// following Properties.LineReader char by char, including its corner
// cases (a line that is only a continuation followed by a comment line is
// a comment; a lone trailing backslash at the end of the text still makes
// an empty line, which becomes the key ""). Every char it looks at is
// ASCII, so it can walk UTF-8 bytes; lines without continuations are
// substrings of src.
func logicalLines(src string) []string {
	var (
		lines        []string
		done         []string // earlier natural lines of a continued line
		doneLen      int
		start        = -1    // start of this natural line's part, -1 if none yet
		skipBlanks   = true  // skipping leading blanks of a line
		continuation = false // the line being skipped continues a previous one
		backslash    = false // the part ends in an odd run of backslashes
	)
	partLen := func(end int) int {
		if start < 0 {
			return 0
		}
		return end - start
	}
	finish := func(end int) {
		part := ""
		if start >= 0 {
			part = src[start:end]
		}
		if len(done) > 0 {
			part = strings.Join(append(done, part), "")
		}
		lines = append(lines, part)
		done, doneLen, start, backslash = done[:0], 0, -1, false
	}
	for i := 0; ; {
		if i >= len(src) {
			if doneLen+partLen(i) > 0 {
				if backslash {
					i--
				}
				finish(i)
			}
			return lines
		}
		c := src[i]
		i++
		if skipBlanks {
			if isBlank(c) || (!continuation && (c == '\r' || c == '\n')) {
				continue
			}
			skipBlanks, continuation = false, false
		}
		if doneLen+partLen(i-1) == 0 && (c == '#' || c == '!') {
			for i < len(src) && src[i] != '\r' && src[i] != '\n' {
				i++
			}
			i++ // the terminator (past the end is fine)
			done, doneLen, start, skipBlanks = done[:0], 0, -1, true
			continue
		}
		if c != '\r' && c != '\n' {
			if start < 0 {
				start = i - 1
			}
			backslash = c == '\\' && !backslash
			continue
		}
		// End of a natural line, at i-1.
		if doneLen+partLen(i-1) == 0 {
			done, start, skipBlanks = done[:0], -1, true
			continue
		}
		if backslash {
			part := src[start : i-2] // without the backslash
			done = append(done, part)
			doneLen += len(part)
			start, skipBlanks, continuation, backslash = -1, true, true, false
			if c == '\r' && i < len(src) && src[i] == '\n' {
				i++
			}
			continue
		}
		finish(i - 1)
		skipBlanks = true
	}
}

// splitKeyValue finds where a logical line's key ends and its value
// starts.
func splitKeyValue(line string) (keyEnd, valueStart int) {
	keyEnd, valueStart = len(line), len(line)
	hasSep, backslash := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !backslash && (c == '=' || c == ':') {
			keyEnd, valueStart, hasSep = i, i+1, true
			break
		}
		if !backslash && isBlank(c) {
			keyEnd, valueStart = i, i+1
			break
		}
		backslash = c == '\\' && !backslash
	}
	for valueStart < len(line) {
		c := line[valueStart]
		if !isBlank(c) {
			if hasSep || (c != '=' && c != ':') {
				break
			}
			hasSep = true
		}
		valueStart++
	}
	return keyEnd, valueStart
}

// unescape applies Properties' escapes. A \uXXXX escape is a UTF-16 code
// unit: a high surrogate must be followed by an escaped low one. Java
// would keep an unpaired surrogate in the string; no ZooKeeper prints
// one, so it is an error.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 't':
			sb.WriteByte('\t')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 'f':
			sb.WriteByte('\f')
		case 'u':
			r, n, err := unicodeEscape(s, i-1)
			if err != nil {
				return "", err
			}
			sb.WriteRune(r)
			i += n - 2
		default:
			// Any other escaped char stands for itself; it may be
			// several bytes long, which the loop copies as they come.
			sb.WriteByte(c)
		}
	}
	return sb.String(), nil
}

// unicodeEscape decodes the \uXXXX at s[at:] (and the low-surrogate
// escape after it, for a high surrogate), returning the code point and
// how many bytes it used.
func unicodeEscape(s string, at int) (rune, int, error) {
	unit := func(at int) (rune, bool) {
		if at+6 > len(s) || s[at] != '\\' || s[at+1] != 'u' {
			return 0, false
		}
		var v rune
		for _, h := range []byte(s[at+2 : at+6]) {
			d, ok := hexDigit(h)
			if !ok {
				return 0, false
			}
			v = v<<4 | rune(d)
		}
		return v, true
	}
	u, ok := unit(at)
	if !ok {
		return 0, 0, wrapf(ErrSyntax, "malformed \\uxxxx escape in %q", s)
	}
	if !utf16.IsSurrogate(u) {
		return u, 6, nil
	}
	if u < 0xdc00 {
		if low, ok := unit(at + 6); ok {
			if r := utf16.DecodeRune(u, low); r != utf8.RuneError {
				return r, 12, nil
			}
		}
	}
	return 0, 0, wrapf(ErrSyntax, "unpaired UTF-16 surrogate in %q", s)
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Property is one key=value pair of a Java Properties text, in file order.
type Property struct {
	Key, Value string
}

// ReadProperties parses text with java.util.Properties.load's rules (the
// syntax of zoo.cfg and of config strings): comments, continuations,
// escapes, the three separators. Pairs come back in file order; a key
// given twice keeps its first position and its last value, as Java does.
func ReadProperties(text string) ([]Property, error) {
	ps, err := loadProperties(text)
	if err != nil {
		return nil, err
	}
	out := make([]Property, len(ps))
	for i, p := range ps {
		out[i] = Property{Key: p.key, Value: p.value}
	}
	return out, nil
}
