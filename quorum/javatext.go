package quorum

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Small re-statements of java.lang behaviour that ZooKeeper's config
// parsing leans on. They matter because a Go node must accept exactly the
// strings a Java node accepts, quirks included.

// javaSplit behaves like Java's s.split(sep) for a one-character literal
// separator: trailing empty strings are dropped ("a:b:" gives [a b], ":"
// gives []), but a string with no separator at all, even "", gives [s].
func javaSplit(s string, sep byte) []string {
	if strings.IndexByte(s, sep) < 0 {
		return []string{s}
	}
	parts := strings.Split(s, string(sep))
	n := len(parts)
	for n > 0 && parts[n-1] == "" {
		n--
	}
	return parts[:n]
}

// JavaTrim behaves like Java's String.trim(): it strips every char <= ' '
// (all ASCII controls and space) from both ends, and nothing else.
// ZooKeeper's config readers trim keys and values this way.
func JavaTrim(s string) string {
	start, end := 0, len(s)
	for start < end && s[start] <= ' ' {
		start++
	}
	for end > start && s[end-1] <= ' ' {
		end--
	}
	return s[start:end]
}

// parseJavaLong parses like Long.parseLong(s, base): an optional sign and
// digits, nothing else. (Java also takes non-ASCII Unicode digits; we do
// not, as no ZooKeeper ever prints them.)
func parseJavaLong(s string, base int) (int64, bool) {
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, base, 64)
	return v, err == nil
}

// parsePort parses like Integer.parseInt followed by InetSocketAddress's
// port check (0..65535).
func parsePort(s string) (int, bool) {
	v, ok := parseJavaLong(s, 10)
	if !ok || v < 0 || v > 65535 {
		return 0, false
	}
	return int(v), true
}

// compareJavaStrings orders like Java's String.compareTo: by UTF-16 code
// units. That differs from Go's byte order only when a supplementary
// character meets one in U+E000..U+FFFF, but host names can be Unicode.
func compareJavaStrings(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := firstUnit(ra), firstUnit(rb)
			if ua != ub {
				return int(ua) - int(ub)
			}
			// Same high surrogate: the low surrogates decide.
			return int(ra) - int(rb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// firstUnit is the first UTF-16 code unit of r.
func firstUnit(r rune) uint16 {
	if r1, _ := utf16.EncodeRune(r); r1 != utf8.RuneError {
		return uint16(r1)
	}
	return uint16(r)
}
