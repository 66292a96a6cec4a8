package actors

import (
	"net"
	"net/netip"
)

// quorumLocalAddr is the source address a Follower binds when it dials the
// leader: its own server line's host, when that is an IP literal of the
// leader's address family assigned to this machine. The leader checks
// that a learner claiming sid S connects from an address server.S names;
// on a host with several addresses (loopback aliases in tests, a second
// NIC in production) the kernel would otherwise pick one by route, which
// may not be the configured one. nil means: let the kernel choose. The
// Follower dials through dialFrom, as the election port does, so a bind
// that still fails falls back to an unbound dial.
func quorumLocalAddr(cfg Config, leaderHost string) *net.TCPAddr {
	me, ok := cfg.views().Server(cfg.ID)
	if !ok {
		return nil
	}
	leaderIP, lerr := netip.ParseAddr(leaderHost)
	leaderIsIP := lerr == nil
	for _, a := range me.Addrs {
		ip, err := netip.ParseAddr(a.Host)
		if err != nil || ip.IsUnspecified() {
			continue
		}
		ip = ip.Unmap()
		if leaderIsIP && leaderIP.Unmap().Is4() != ip.Is4() {
			continue
		}
		if locallyAssigned(ip) {
			return net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 0))
		}
	}
	return nil
}

// locallyAssigned reports whether ip is one of this machine's addresses:
// an interface address, or inside a loopback interface's network (Linux
// answers for all of 127/8 on lo, which lists only 127.0.0.1/8).
func locallyAssigned(ip netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		pfx, err := netip.ParsePrefix(n.String())
		if err != nil {
			continue
		}
		if pfx.Addr().Unmap() == ip || (ip.IsLoopback() && pfx.Addr().IsLoopback() && pfx.Contains(ip)) {
			return true
		}
	}
	return false
}
