package zkfle

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseServers reads an ensemble written as comma-separated
// "id=host:quorumPort:electionPort" entries, the server.N lines of zoo.cfg
// on one line, for example
// "1=10.0.0.1:2888:3888,2=10.0.0.2:2888:3888,3=10.0.0.3:2888:3888".
// An entry may end in ":observer" (or ":participant", the default). IPv6
// hosts are written in brackets: "4=[::1]:2888:3888". It checks the
// syntax; Config.Validate checks the values.
func ParseServers(s string) ([]Server, error) {
	var out []Server
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		srv, err := parseServer(entry)
		if err != nil {
			return nil, fmt.Errorf("servers entry %d %q: %w", i+1, entry, err)
		}
		out = append(out, srv)
	}
	return out, nil
}

func parseServer(entry string) (Server, error) {
	idText, addr, ok := strings.Cut(entry, "=")
	if !ok {
		return Server{}, fmt.Errorf("want id=host:quorumPort:electionPort")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(idText), 10, 64)
	if err != nil {
		return Server{}, fmt.Errorf("id %q is not a number", idText)
	}
	srv := Server{ID: id}
	if rest, found := strings.CutSuffix(addr, ":observer"); found {
		addr, srv.Observer = rest, true
	} else {
		addr = strings.TrimSuffix(addr, ":participant")
	}
	// Ports are the last two fields; the host is the rest (an IPv6
	// literal in brackets contains colons itself).
	last := strings.LastIndexByte(addr, ':')
	if last < 0 {
		return Server{}, fmt.Errorf("want id=host:quorumPort:electionPort")
	}
	mid := strings.LastIndexByte(addr[:last], ':')
	if mid < 0 {
		return Server{}, fmt.Errorf("want id=host:quorumPort:electionPort")
	}
	host := addr[:mid]
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	srv.Host = host
	if srv.QuorumPort, err = strconv.Atoi(addr[mid+1 : last]); err != nil {
		return Server{}, fmt.Errorf("quorum port %q is not a number", addr[mid+1:last])
	}
	if srv.ElectionPort, err = strconv.Atoi(addr[last+1:]); err != nil {
		return Server{}, fmt.Errorf("election port %q is not a number", addr[last+1:])
	}
	return srv, nil
}
