package quorum

import (
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
	index := make(map[string]int)
	for _, line := range logicalLines([]rune(text)) {
		keyEnd, valueStart := splitKeyValue(line)
		key, err := unescape(line[:keyEnd])
		if err != nil {
			return nil, err
		}
		value, err := unescape(line[valueStart:])
		if err != nil {
			return nil, err
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
func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\f' }

// logicalLines joins continued lines and drops comments and blank lines,
// following Properties.LineReader char by char, including its corner
// cases (a line that is only a continuation followed by a comment line is
// a comment; a lone trailing backslash at the end of the text still makes
// an empty line, which becomes the key "").
func logicalLines(src []rune) [][]rune {
	var (
		lines        [][]rune
		line         []rune
		skipBlanks   = true  // skipping leading blanks of a line
		continuation = false // the line being skipped continues a previous one
		backslash    = false // line ends in an odd run of backslashes
	)
	for i := 0; ; {
		if i >= len(src) {
			if len(line) > 0 {
				if backslash {
					line = line[:len(line)-1]
				}
				lines = append(lines, line)
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
		if len(line) == 0 && (c == '#' || c == '!') {
			for i < len(src) && src[i] != '\r' && src[i] != '\n' {
				i++
			}
			i++ // the terminator (past the end is fine)
			skipBlanks = true
			continue
		}
		if c != '\r' && c != '\n' {
			line = append(line, c)
			backslash = c == '\\' && !backslash
			continue
		}
		// End of a natural line.
		if len(line) == 0 {
			skipBlanks = true
			continue
		}
		if backslash {
			line = line[:len(line)-1]
			skipBlanks, continuation, backslash = true, true, false
			if c == '\r' && i < len(src) && src[i] == '\n' {
				i++
			}
			continue
		}
		lines = append(lines, line)
		line = nil
		skipBlanks = true
	}
}

// splitKeyValue finds where a logical line's key ends and its value
// starts.
func splitKeyValue(line []rune) (keyEnd, valueStart int) {
	keyEnd, valueStart = len(line), len(line)
	hasSep, backslash := false, false
	for i, c := range line {
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

// unescape applies Properties' escapes and turns the UTF-16 units of
// \uXXXX escapes back into code points. Java would keep an unpaired
// surrogate in the string; no ZooKeeper prints one, so it is an error.
func unescape(s []rune) (string, error) {
	units := make([]uint16, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			units = utf16.AppendRune(units, c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 't':
			units = append(units, '\t')
		case 'n':
			units = append(units, '\n')
		case 'r':
			units = append(units, '\r')
		case 'f':
			units = append(units, '\f')
		case 'u':
			if i+4 >= len(s) {
				return "", wrapf(ErrSyntax, "malformed \\uxxxx escape in %q", string(s))
			}
			var v uint16
			for _, h := range s[i+1 : i+5] {
				d, ok := hexDigit(h)
				if !ok {
					return "", wrapf(ErrSyntax, "malformed \\uxxxx escape in %q", string(s))
				}
				v = v<<4 | d
			}
			units = append(units, v)
			i += 4
		default:
			units = utf16.AppendRune(units, c)
		}
	}
	return decodeUTF16(units, s)
}

// decodeUTF16 turns UTF-16 units into a string, refusing unpaired
// surrogates.
func decodeUTF16(units []uint16, src []rune) (string, error) {
	out := make([]rune, 0, len(units))
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		switch {
		case utf16.IsSurrogate(u) && u < 0xdc00 && i+1 < len(units):
			r := utf16.DecodeRune(u, rune(units[i+1]))
			if r == utf8.RuneError {
				return "", wrapf(ErrSyntax, "unpaired UTF-16 surrogate in %q", string(src))
			}
			out = append(out, r)
			i++
		case utf16.IsSurrogate(u):
			return "", wrapf(ErrSyntax, "unpaired UTF-16 surrogate in %q", string(src))
		default:
			out = append(out, u)
		}
	}
	return string(out), nil
}

func hexDigit(r rune) (uint16, bool) {
	switch {
	case r >= '0' && r <= '9':
		return uint16(r - '0'), true
	case r >= 'a' && r <= 'f':
		return uint16(r-'a') + 10, true
	case r >= 'A' && r <= 'F':
		return uint16(r-'A') + 10, true
	}
	return 0, false
}
