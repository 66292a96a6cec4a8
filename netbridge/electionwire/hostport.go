package electionwire

import (
	"fmt"
	"net/netip"
	"strings"
)

// HostPort splits one election address as it travels in a connection
// header: "host:port", or "[v6-literal]:port" for IPv6 (the form Java's
// NetUtils.formatInetAddr writes). The returned host carries no brackets.
//
// It is stricter than Java's ConfigUtils.getHostAndPort + Integer.parseInt,
// which no Java sender needs: the port must be 1..5 decimal digits with a
// value in 1..65535 (no sign, no port 0), the host must be non-empty and
// free of spaces, control characters, '|', '[' and ']', an unbracketed
// host may not contain ':' (an IPv6 literal must be bracketed, as Java
// writes it), and a bracketed host must be an IPv6 literal. Errors wrap
// ErrBadAddress and quote addr.
func HostPort(addr string) (host string, port int, err error) {
	var portStr string
	if strings.HasPrefix(addr, "[") {
		end := strings.IndexByte(addr, ']')
		if end < 0 {
			return "", 0, badAddress(addr, "starts with '[' but has no ']'")
		}
		host = addr[1:end]
		rest := addr[end+1:]
		if !strings.HasPrefix(rest, ":") {
			return "", 0, badAddress(addr, "no ':port' after ']'")
		}
		portStr = rest[1:]
		ip, perr := netip.ParseAddr(host)
		if perr != nil || !ip.Is6() {
			return "", 0, badAddress(addr, "bracketed host is not an IPv6 literal")
		}
	} else {
		colon := strings.IndexByte(addr, ':')
		if colon < 0 {
			return "", 0, badAddress(addr, "no ':port'")
		}
		host, portStr = addr[:colon], addr[colon+1:]
		if strings.IndexByte(portStr, ':') >= 0 {
			return "", 0, badAddress(addr, "more than one ':' (IPv6 literals must be bracketed)")
		}
		if host == "" {
			return "", 0, badAddress(addr, "empty host")
		}
	}
	// Also covers an IPv6 zone, the one free-form part of a bracketed host.
	if i := strings.IndexFunc(host, badHostRune); i >= 0 {
		return "", 0, badAddress(addr, fmt.Sprintf("host has forbidden character %q", host[i:i+1]))
	}
	port, ok := parsePort(portStr)
	if !ok {
		return "", 0, badAddress(addr, fmt.Sprintf("port %q is not a decimal number in 1..65535", portStr))
	}
	return host, port, nil
}

// IsWildcardHost reports whether host is a literal wildcard address:
// 0.0.0.0, ::, or another spelling of them that net/netip parses (such as
// 0:0:0:0:0:0:0:0 or ::ffff:0.0.0.0). Java's isWildcardAddress resolves the
// name instead, so it would also catch a hostname that resolves to a
// wildcard, or BSD shorthand like "0"; this package never does DNS while
// parsing, so such hosts are kept and fail later when dialed.
func IsWildcardHost(host string) bool {
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return ip.WithZone("").Unmap().IsUnspecified()
}

// badHostRune reports characters that cannot appear in an unbracketed host:
// the list separator, brackets, spaces and control characters.
func badHostRune(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '|' || r == '[' || r == ']'
}

// parsePort accepts 1 to 5 ASCII digits whose value is 1..65535.
func parsePort(s string) (int, bool) {
	if len(s) == 0 || len(s) > 5 {
		return 0, false
	}
	port := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		port = port*10 + int(c-'0')
	}
	if port < 1 || port > 65535 {
		return 0, false
	}
	return port, true
}

func badAddress(addr, why string) error {
	return fmt.Errorf("%w %q: %s", ErrBadAddress, addr, why)
}
