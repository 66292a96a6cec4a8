package zoocfg

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/quorum"
)

// socket is one address a server line makes its server listen on.
type socket struct {
	sid  int64
	role string // "quorum", "election" or "client"
	addr string // host:port, the host normalised (see socketHost)
}

// checkPortOverlaps refuses server lines that give one socket address
// (host and port) to two listeners: the same quorum or election address on
// two lines, one server's quorum port as another's election port, a
// server line's quorum and election ports equal, or a client address
// (given with a host) equal to one of those. ZooKeeper accepts such
// lines; the servers concerned then fail to bind or, worse, answer for
// each other, and the ensemble warns forever. Host names are compared as
// written (no DNS): "localhost" and "127.0.0.1" are different hosts here.
// The error names both lines.
func (f *File) checkPortOverlaps() error {
	seen := map[string]socket{}
	for _, srv := range f.settings.Verifier.Servers() {
		for _, s := range serverSockets(srv) {
			prev, dup := seen[s.addr]
			if !dup {
				seen[s.addr] = s
				continue
			}
			file := f.settings.ensembleSource(f.name)
			key, value := serverKey(f.ensemble, s.sid)
			prevKey, prevValue := serverKey(f.ensemble, prev.sid)
			reason := fmt.Sprintf("its %s address %s is also the %s address of %s=%s: two listeners cannot share one socket address",
				s.role, s.addr, prev.role, prevKey, strconv.Quote(prevValue))
			if prev.sid == s.sid {
				reason = fmt.Sprintf("its %s address %s is also its %s address: two listeners cannot share one socket address",
					s.role, s.addr, prev.role)
			}
			return &Error{File: file, Key: key, Value: value, Reason: reason, Err: ErrConflict}
		}
	}
	return nil
}

// serverSockets lists what a server line listens on, in line order. A
// client address on a wildcard host is left out: each server has its own
// machine in production, where ";2181" on every line is right.
func serverSockets(srv quorum.Server) []socket {
	var out []socket
	for _, a := range srv.Addrs {
		host := socketHost(a.Host)
		out = append(out,
			socket{srv.ID, "quorum", net.JoinHostPort(host, strconv.Itoa(a.QuorumPort))},
			socket{srv.ID, "election", net.JoinHostPort(host, strconv.Itoa(a.ElectionPort))})
	}
	if srv.ClientAddr != "" && !srv.ClientAddrFromStatic {
		if host, port, err := net.SplitHostPort(srv.ClientAddr); err == nil {
			if ip, err := netip.ParseAddr(host); err != nil || !ip.IsUnspecified() {
				out = append(out, socket{srv.ID, "client", net.JoinHostPort(socketHost(host), port)})
			}
		}
	}
	return out
}

// socketHost normalises a host for comparison: an IP literal in its
// canonical form (::ffff:127.0.0.1 is 127.0.0.1), a name in lower case.
func socketHost(host string) string {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap().String()
	}
	return strings.ToLower(host)
}
