package quorum

import (
	"net"
	"strconv"
	"strings"
)

// ParseServerLine parses the value of a server.<id> line, as Java's
// QuorumServer(long, String) does:
//
//	<addr>[|<addr>...][;[<clientHost>:]<clientPort>]
//	<addr> = <host>:<quorumPort>:<electionPort>[:participant|:observer]
//
// A host may be a bracketed IPv6 literal. The type is case-insensitive
// (surrounding controls and spaces are ignored, as Java trims it) and
// defaults to participant; addresses that name a type must all name the
// same one. Each address's ports must differ. ";2181" means
// "0.0.0.0:2181". Like Java's String.split, empty trailing pieces are
// ignored ("h:1:2:" and "h:1:2;" are fine).
//
// Several addresses are accepted whatever multiAddress.enabled says; a
// zoo.cfg reader must enforce that key itself.
//
// Stricter than Java, on purpose, where Java's printed form would not
// read back: a host must be non-empty and printable (see ErrBadHost), a
// ']' must be followed by ':', there must be at least one address ("|"
// is none), and an address listed twice is an error (Java would collapse
// it).
//
// Errors are *ServerError naming the id and the line, wrapping one of
// ErrBadServerLine, ErrBadHost, ErrBadPort, ErrSamePorts, ErrBadType,
// ErrMixedTypes, ErrDuplicateAddress.
func ParseServerLine(id int64, value string) (Server, error) {
	m, err := parseServerMember(id, value)
	if err != nil {
		return Server{}, err
	}
	return m.server, nil
}

// parseServerMember is ParseServerLine keeping what validation derived.
func parseServerMember(id int64, value string) (*member, error) {
	s, err := parseServerLine(id, value)
	if err != nil {
		return nil, &ServerError{ID: id, Value: value, Err: err}
	}
	m, err := newOwnedMember(s)
	if err != nil {
		return nil, &ServerError{ID: id, Value: value, Err: err}
	}
	return m, nil
}

// parseServerLine does the splitting; newMember then checks hosts, port
// pairs and duplicates.
func parseServerLine(id int64, value string) (Server, error) {
	s := Server{ID: id, Type: Participant}
	serverClient := javaSplit(value, ';')
	if len(serverClient) == 0 || len(serverClient) > 2 {
		return Server{}, wrapf(ErrBadServerLine, "want server_config[;client_config], got %q", value)
	}
	if len(serverClient) == 2 {
		client, err := parseClientPart(serverClient[1])
		if err != nil {
			return Server{}, err
		}
		s.ClientAddr = client
	}
	var typed *LearnerType
	for _, addr := range javaSplit(serverClient[0], '|') {
		parts, err := splitHostAndPort(addr)
		if err != nil {
			return Server{}, err
		}
		if len(parts) < 3 || len(parts) > 4 {
			return Server{}, wrapf(ErrBadServerLine, "address %q is not host:port:port[:type]", addr)
		}
		pair := AddrPair{Host: parts[0]}
		var ok bool
		if pair.QuorumPort, ok = parsePort(parts[1]); !ok {
			return Server{}, wrapf(ErrBadPort, "quorum port %q in %q", parts[1], addr)
		}
		if pair.ElectionPort, ok = parsePort(parts[2]); !ok {
			return Server{}, wrapf(ErrBadPort, "election port %q in %q", parts[2], addr)
		}
		if len(parts) == 4 {
			t, err := parseLearnerType(parts[3])
			if err != nil {
				return Server{}, err
			}
			if typed != nil && *typed != t {
				return Server{}, wrapf(ErrMixedTypes, "%q after %s", parts[3], typed.String())
			}
			typed = &t
		}
		s.Addrs = append(s.Addrs, pair)
	}
	if len(s.Addrs) == 0 {
		// Java takes "|" as a server with no address at all, and then
		// prints "server.N=:participant", which nothing can read back.
		return Server{}, wrapf(ErrBadServerLine, "no address in %q", value)
	}
	if typed != nil {
		s.Type = *typed
	}
	return s, nil
}

// parseClientPart parses "[host:]port" after ';' into "host:port" (with
// brackets for an IPv6 host), defaulting the host to 0.0.0.0.
func parseClientPart(part string) (string, error) {
	parts, err := splitHostAndPort(part)
	if err != nil {
		return "", err
	}
	if len(parts) == 0 || len(parts) > 2 {
		return "", wrapf(ErrBadServerLine, "client address %q is not [host:]port", part)
	}
	hostText := "0.0.0.0"
	if len(parts) == 2 {
		hostText = parts[0]
	}
	port, ok := parsePort(parts[len(parts)-1])
	if !ok {
		return "", wrapf(ErrBadPort, "client port %q in %q", parts[len(parts)-1], part)
	}
	return net.JoinHostPort(hostText, strconv.Itoa(port)), nil
}

// splitHostAndPort is ConfigUtils.getHostAndPort: "[v6]:a:b" gives
// [v6 a b]; anything else is split on ':' (Java split semantics).
func splitHostAndPort(s string) ([]string, error) {
	if !strings.HasPrefix(s, "[") {
		return javaSplit(s, ':'), nil
	}
	end := strings.IndexByte(s, ']')
	switch {
	case end < 0:
		return nil, wrapf(ErrBadServerLine, "%q starts with '[' but has no matching ']'", s)
	case end+1 == len(s):
		// Java returns the bare host here; every caller then finds too
		// few parts.
		return []string{s[1:end]}, nil
	case s[end+1] != ':':
		return nil, wrapf(ErrBadServerLine, "%q has no ':' after ']'", s)
	case end+2 == len(s):
		return nil, wrapf(ErrBadServerLine, "%q has no port after ':'", s)
	}
	return append([]string{s[1:end]}, javaSplit(s[end+2:], ':')...), nil
}

// parseLearnerType is QuorumServer.getType: trimmed, case-insensitive.
func parseLearnerType(s string) (LearnerType, error) {
	switch strings.ToLower(JavaTrim(s)) {
	case "participant":
		return Participant, nil
	case "observer":
		return Observer, nil
	}
	return 0, wrapf(ErrBadType, "unrecognised peer type %q", s)
}
