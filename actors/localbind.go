package actors

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// quorumLocalAddr is the source address a Follower binds when it dials the
// leader: its own server line's host, when that is an IP literal of the
// leader's address family assigned to this machine. The leader checks
// that a learner claiming sid S connects from an address server.S names;
// on a host with several addresses (loopback aliases in tests, a second
// NIC in production) the kernel would otherwise pick one by route, which
// may not be the configured one. nil means: let the kernel choose.
func quorumLocalAddr(cfg Config, leaderHost string) *net.TCPAddr {
	me, ok := cfg.Verifier.Server(cfg.ID)
	if !ok && cfg.LastSeen != nil {
		me, ok = cfg.LastSeen.Server(cfg.ID)
	}
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

// dialQuorumFrom dials addr from local (when set), and unbound if binding local
// fails: a source address that cannot be used must not keep a follower
// from its leader (the leader then decides whether the source passes).
func dialQuorumFrom(ctx context.Context, local *net.TCPAddr, addr string, timeout time.Duration) (net.Conn, error) {
	if local != nil {
		d := net.Dialer{Timeout: timeout, LocalAddr: local}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil || !bindFailed(err) {
			return c, err
		}
	}
	d := net.Dialer{Timeout: timeout}
	return d.DialContext(ctx, "tcp", addr)
}

// bindFailed reports a dial error caused by the local address: it cannot
// be bound, or the leader's name resolved only to the other family ("no
// suitable address").
func bindFailed(err error) bool {
	var ae *net.AddrError
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EADDRINUSE) ||
		errors.Is(err, syscall.EINVAL) || errors.As(err, &ae)
}
