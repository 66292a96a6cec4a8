package zoocfg

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// How ZooKeeper turns zoo.cfg text into values, restated: which Java call
// reads a key decides what it accepts (Integer.parseInt takes "+5" but not
// "0x5"; Integer.getInteger takes "0x5" and "010", which is 8).

// latin1 decodes bytes as ISO 8859-1, as Properties.load(InputStream)
// does: every byte is one char. A UTF-8 "é" in a zoo.cfg is therefore two
// chars to ZooKeeper, and it prints them back as two; so do we.
func latin1(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// parseJavaInt is Integer.parseInt: an optional sign and decimal digits,
// within int32. (Java also takes non-ASCII Unicode digits; we do not.)
func parseJavaInt(s string) (int32, bool) {
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int32(v), true
}

// parseJavaLong is Long.parseLong.
func parseJavaLong(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// decodeJavaInt is Integer.decode, which Integer.getInteger uses: an
// optional sign, then "0x", "0X" or "#" for hex, a leading "0" for octal,
// else decimal; no sign after the prefix.
func decodeJavaInt(s string) (int32, bool) {
	sign, digits := "", s
	if digits != "" && (digits[0] == '-' || digits[0] == '+') {
		sign, digits = digits[:1], digits[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(digits, "0x"), strings.HasPrefix(digits, "0X"):
		base, digits = 16, digits[2:]
	case strings.HasPrefix(digits, "#"):
		base, digits = 16, digits[1:]
	case strings.HasPrefix(digits, "0") && len(digits) > 1:
		base, digits = 8, digits[1:]
	}
	if digits == "" || digits[0] == '-' || digits[0] == '+' {
		return 0, false
	}
	v, err := strconv.ParseInt(sign+digits, base, 32)
	if err != nil {
		return 0, false
	}
	return int32(v), true
}

// parseJavaBoolean is QuorumPeerConfig.parseBoolean: "true" or "false" in
// any case, anything else is an error.
func parseJavaBoolean(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// javaFilePath is what java.io.File makes of a Unix path: repeated
// slashes collapse and a trailing slash goes (except for "/"). Unlike
// filepath.Clean it keeps "." and ".." elements, so "./data" stays
// "./data", as ZooKeeper prints it.
func javaFilePath(p string) string {
	if !strings.Contains(p, "//") && (len(p) <= 1 || !strings.HasSuffix(p, "/")) {
		return p
	}
	var sb strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		sb.WriteByte(p[i])
	}
	out := sb.String()
	if len(out) > 1 && strings.HasSuffix(out, "/") {
		out = out[:len(out)-1]
	}
	return out
}

// relativePathWarning is VerifyingFileFactory's warning for a relative
// path that does not start with "./", in ZooKeeper's words ("" if none).
func relativePathWarning(p string) string {
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "./") {
		return ""
	}
	return p + " is relative. Prepend ./ to indicate that you're sure!"
}
