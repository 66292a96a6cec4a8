package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/quorumtls"
)

// handshakeTLS runs the client handshake on conn (whose deadline is set)
// for addr: the connection header and notification then go inside TLS,
// unchanged, as with ZooKeeper's sslQuorum.
func handshakeTLS(ctx context.Context, conn net.Conn, addr string, o Options) (net.Conn, error) {
	host := o.TLSServerName
	if host == "" {
		host, _, _ = electionwire.HostPort(addr) // checked by the caller
	}
	cfg := quorumtls.ForHost(o.TLS, host)
	if o.TLSFor != nil {
		cfg = o.TLSFor(host)
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("%w: handshake: %w", ErrTLS, err)
	}
	return tc, nil
}

// isTLSAlert reports an alert the server sent (its refusal of our
// certificate, say): crypto/tls returns it as a *net.OpError whose Op is
// "remote error".
func isTLSAlert(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "remote error"
}

// refusedAfterHandshake explains a failed send right after a TLS
// handshake: with TLS 1.3 the server checks our certificate after our
// side of the handshake is done, then alerts and closes, and the send
// meets the closed connection. The alert is reported when it can still be
// read; either way it is ErrTLS.
func refusedAfterHandshake(conn net.Conn, sendErr error) error {
	_ = conn.SetReadDeadline(time.Now().Add(refusalReadWait))
	if _, err := conn.Read(make([]byte, 1)); isTLSAlert(err) {
		return fmt.Errorf("%w: %v", ErrTLS, err)
	}
	return fmt.Errorf("%w: the server closed the connection right after the handshake (did it refuse our certificate?): %v", ErrTLS, sendErr)
}

// refusalReadWait bounds the look for the server's alert.
const refusalReadWait = 200 * time.Millisecond
