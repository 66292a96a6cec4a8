package quorum

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// host is one configured host as Java's InetSocketAddress sees it,
// without any DNS: either an IP literal (Java parses it and prints its
// own form) or a name (Java keeps the string as given, resolved or not).
type host struct {
	// text is InetSocketAddress.getHostString(): the name as configured,
	// or Java's rendering of the literal (IPv6 uncompressed, IPv4 dotted
	// quad, "::ffff:a.b.c.d" as a.b.c.d).
	text string
	// ip is the literal's address (zone dropped, as Inet6Address.equals
	// ignores it); invalid for a name.
	ip netip.Addr
}

// delimited is QuorumServer.delimitedHostString: the host text, bracketed
// when it contains ':'.
func (h host) delimited() string {
	if strings.IndexByte(h.text, ':') >= 0 {
		return "[" + h.text + "]"
	}
	return h.text
}

// equal is InetSocketAddress equality on the host part, minus DNS: two
// literals compare by address, two names case-insensitively (Java's rule
// for unresolved names; resolved names would compare by address), and a
// name never equals a literal.
func (h host) equal(o host) bool {
	if h.ip.IsValid() || o.ip.IsValid() {
		return h.ip == o.ip
	}
	return strings.EqualFold(h.text, o.text)
}

// hostKey is comparable, and two hosts have the same key exactly when
// they are equal.
type hostKey struct {
	ip   netip.Addr
	name string // for names: every rune replaced by the smallest of its case-folding orbit
}

// key returns h's hostKey. For names it folds case the way
// strings.EqualFold compares, so it allocates; it is only used for
// servers with several addresses.
func (h host) key() hostKey {
	if h.ip.IsValid() {
		return hostKey{ip: h.ip}
	}
	var sb strings.Builder
	for _, r := range h.text {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		sb.WriteRune(least)
	}
	return hostKey{name: sb.String()}
}

// parseHost classifies a configured host string (without brackets).
//
// Approximations of Java, which decides by trying to resolve: an IPv6
// literal with a named zone (fe80::1%eth0) or an IPv4-mapped one with a
// zone is kept as written, as Java does when no such interface exists;
// Java prints fe80:0:0:0:0:0:0:1%eth0 on a machine that has eth0.
func parseHost(s string) (host, error) {
	if ip, err := netip.ParseAddr(s); err == nil && ip.Is4() {
		return host{text: s, ip: ip}, nil // canonical dotted quad already
	}
	if ip, ok := javaIPv4Literal(s); ok {
		return host{text: ip.String(), ip: ip}, nil
	}
	if strings.IndexByte(s, ':') >= 0 {
		return parseIPv6Host(s)
	}
	if err := checkHostChars(s); err != nil {
		return host{}, err
	}
	return host{text: s}, nil
}

// parseIPv6Host handles a host with a ':', which only an IPv6 literal
// (written in brackets) may have.
func parseIPv6Host(s string) (host, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is6() {
		return host{}, wrapf(ErrBadHost, "%q is neither a name nor an IPv6 literal", s)
	}
	zone := ip.Zone()
	if zone != "" {
		if err := checkHostChars(zone); err != nil {
			return host{}, wrapf(ErrBadHost, "%q has a bad zone", s)
		}
	}
	numericZone := zone == "" || isDecimal(zone)
	switch {
	case ip.Is4In6() && zone == "":
		v4 := ip.Unmap()
		return host{text: v4.String(), ip: v4}, nil
	case ip.Is4In6() || !numericZone:
		// Java leaves it unresolved: a name, compared as a string.
		return host{text: s}, nil
	}
	text := javaIPv6Text(ip)
	if zone != "" {
		text += "%" + zone
	}
	return host{text: text, ip: ip.WithZone("")}, nil
}

// javaIPv6Text is Inet6Address.getHostAddress() without the scope: eight
// lowercase hex groups, no leading zeros, no "::" compression.
func javaIPv6Text(ip netip.Addr) string {
	b := ip.As16()
	var sb strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1]), 16))
	}
	return sb.String()
}

// javaIPv4Literal parses an IPv4 literal the way Java's
// IPAddressUtil.textToNumericFormatV4 does: at most 15 chars, 1 to 4
// dot-separated decimal parts (leading zeros are decimal), the last part
// filling the remaining bytes ("127.1" is 127.0.0.1, "2130706433" too).
func javaIPv4Literal(s string) (netip.Addr, bool) {
	if s == "" || len(s) > 15 {
		return netip.Addr{}, false
	}
	var out [4]byte
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	for i, p := range parts {
		if p == "" || !isDecimal(p) {
			return netip.Addr{}, false
		}
		v, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if v > 0xff {
				return netip.Addr{}, false
			}
			out[i] = byte(v)
			continue
		}
		rest := 4 - i
		if v >= 1<<(8*rest) {
			return netip.Addr{}, false
		}
		for j := 3; j >= i; j-- {
			out[j] = byte(v)
			v >>= 8
		}
	}
	return netip.AddrFrom4(out), true
}

// checkHostChars accepts a non-empty, valid UTF-8 name without the
// characters that would not survive Java's toString and a re-parse:
// controls, whitespace, and the separators \ | ; [ ] and ':'. Java itself
// takes any string as an (unresolved) host name.
func checkHostChars(s string) error {
	if s == "" {
		return wrapf(ErrBadHost, "empty host")
	}
	if !utf8.ValidString(s) {
		return wrapf(ErrBadHost, "%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`\|;[]:`, r) {
			return wrapf(ErrBadHost, "%q contains %q", s, r)
		}
	}
	return nil
}

// isDecimal reports whether s is one or more ASCII digits.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
