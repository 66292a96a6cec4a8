package actors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/quorum"
)

// dialer is one outbound connection attempt (QuorumCnxManager's
// initiateConnection), run on its own goroutine: connect with a timeout,
// write our initial message in one Write (the Java receiver reads the
// address with a single read, ZOOKEEPER-2189), then apply the initiator's
// side of the tie-break.
type dialer struct {
	sid, mySid int64
	addr       string
	// local is the address to dial from (our own server line's host), or
	// the zero value to let the kernel choose.
	local     netip.Addr
	header    []byte
	timeout   time.Duration
	handshake time.Duration
	keepAlive bool
	// secure, when set (TLS on), runs the TLS client handshake on the
	// connected socket and checks the peer proves sid (runtime.dialTLS).
	secure func(conn net.Conn, sid int64, host string, deadline time.Time) (net.Conn, error)
}

func (d dialer) dial(ctx context.Context) *dialResult {
	res := &dialResult{sid: d.sid, addr: d.addr}
	nd := net.Dialer{Timeout: d.timeout, KeepAlive: -1}
	if d.keepAlive {
		nd.KeepAlive = 0 // Go's default keepalive period
	}
	conn, unbound, err := dialFrom(ctx, nd, d.local, d.addr)
	res.unbound = unbound
	if err != nil {
		res.err = err
		return res
	}
	setSockOpts(conn, d.keepAlive)
	if d.secure != nil {
		// The header goes inside TLS; the handshake gets its own
		// handshake timeout, as the peer's side bounds both by one.
		host, _, _ := net.SplitHostPort(d.addr)
		tc, err := d.secure(conn, d.sid, host, time.Now().Add(d.handshake))
		if err != nil {
			_ = conn.Close()
			res.err = fmt.Errorf("TLS handshake: %w", err)
			return res
		}
		conn = tc
	}
	if err := writeWithDeadline(conn, d.header, d.handshake); err != nil {
		_ = conn.Close()
		res.err = fmt.Errorf("send initial message: %w", err)
		return res
	}
	if !cnx.InitiatorKeeps(d.mySid, d.sid) {
		// "Have smaller server identifier, so dropping the connection":
		// our header was the request for the peer to call us.
		_ = conn.Close()
		res.hungUp = true
		return res
	}
	res.conn = conn
	return res
}

// dialFrom dials addr from local (IP only, any port) when local is set,
// for election connections and a Follower's dial to its leader alike:
// peers accept a member's connection only from an address its server
// line names, and a host with several addresses (or loopback aliases)
// would otherwise pick its source by route. If local cannot be bound
// here (not assigned to this host: EADDRNOTAVAIL, or no destination of
// its family), it dials again unbound and returns why in unbound.
func dialFrom(ctx context.Context, nd net.Dialer, local netip.Addr, addr string) (conn net.Conn, unbound, err error) {
	if !local.IsValid() {
		conn, err = nd.DialContext(ctx, "tcp", addr)
		return conn, nil, err
	}
	bound := nd
	bound.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
	conn, err = bound.DialContext(ctx, "tcp", addr)
	if err == nil || !cannotBind(err) {
		return conn, nil, err
	}
	conn, err2 := nd.DialContext(ctx, "tcp", addr)
	return conn, err, err2
}

// cannotBind reports a dial error caused by the local address rather than
// the peer: not assigned here (EADDRNOTAVAIL), no ephemeral port left on
// it (EADDRINUSE), a family the destination cannot take (EINVAL), or a
// destination name with no address of local's family.
func cannotBind(err error) bool {
	if errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EINVAL) {
		return true
	}
	var ae *net.AddrError
	return errors.As(err, &ae) && strings.Contains(ae.Err, "no suitable address")
}

// bindAddr is the address to dial from for our address pair i: its host
// when that is an IP literal other than a wildcard. A host name or a
// wildcard gives the zero value (the kernel chooses): a name may resolve
// to several addresses, and the peer's check resolves it too.
func bindAddr(me quorum.Server, i int) netip.Addr {
	if len(me.Addrs) == 0 {
		return netip.Addr{}
	}
	if i < 0 || i >= len(me.Addrs) {
		i = 0
	}
	ip, err := netip.ParseAddr(me.Addrs[i].Host)
	if err != nil || ip.IsUnspecified() {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// setSockOpts applies ZooKeeper's election-socket options: TCP_NODELAY
// (Go's default, set anyway for clarity) and optional keepalive.
func setSockOpts(conn net.Conn, keepAlive bool) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	_ = tc.SetNoDelay(true)
	_ = tc.SetKeepAlive(keepAlive)
}

// writeWithDeadline writes b in one Write, bounded by timeout.
func writeWithDeadline(conn net.Conn, b []byte, timeout time.Duration) error {
	if err := conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := conn.Write(b); err != nil {
		return err
	}
	return conn.SetWriteDeadline(time.Time{})
}
