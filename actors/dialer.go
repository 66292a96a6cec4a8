package actors

import (
	"context"
	"fmt"
	"net"
	"time"
)

// dialer is one outbound connection attempt (QuorumCnxManager's
// initiateConnection), run on its own goroutine: connect with a timeout,
// write our initial message in one Write (the Java receiver reads the
// address with a single read, ZOOKEEPER-2189), then apply the initiator's
// side of the tie-break.
type dialer struct {
	sid, mySid int64
	addr       string
	header     []byte
	timeout    time.Duration
	handshake  time.Duration
	keepAlive  bool
}

func (d dialer) dial(ctx context.Context) *dialResult {
	res := &dialResult{sid: d.sid, addr: d.addr}
	nd := net.Dialer{Timeout: d.timeout, KeepAlive: -1}
	if d.keepAlive {
		nd.KeepAlive = 0 // Go's default keepalive period
	}
	conn, err := nd.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		res.err = err
		return res
	}
	setSockOpts(conn, d.keepAlive)
	if err := writeWithDeadline(conn, d.header, d.handshake); err != nil {
		_ = conn.Close()
		res.err = fmt.Errorf("send initial message: %w", err)
		return res
	}
	if d.sid > d.mySid {
		// "Have smaller server identifier, so dropping the connection":
		// our header was the request for the peer to call us.
		_ = conn.Close()
		res.hungUp = true
		return res
	}
	res.conn = conn
	return res
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
