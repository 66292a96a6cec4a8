package actors

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zkfle/zkfle/quorumtls"
)

// looksLikeTLS reports whether the first bytes of a connection start a
// TLS record, as ZooKeeper's UnifiedServerSocket decides with Netty's
// SslHandler.isEncrypted: a TLS record type (20..24), major version 3 and
// a non-zero length. Fewer than five bytes is plaintext. Neither port's
// plaintext protocol matches: an election header starts with 0xff (a
// negative protocol version), a quorum packet with its type's high byte,
// 0.
func looksLikeTLS(b []byte) bool {
	return len(b) >= 5 && b[0] >= 20 && b[0] <= 24 && b[1] == 3 && (b[3] != 0 || b[4] != 0)
}

// acceptTLS runs the accepting side of quorum TLS on conn, bounded by
// deadline: with portUnification a first byte that does not start a TLS
// handshake record leaves conn plaintext (plain reports it; the caller
// then treats it as a node without TLS would); otherwise the TLS server
// handshake, with a clone of TLS.Server (whose GetConfigForClient or
// GetCertificate picks the current certificate), then, with
// VerifyClientAddress, the peer's certificate against the address it
// connects from. It returns the connection to read from and the peer's
// leaf certificate (nil when plaintext). Failures are counted under port
// and returned as *tlsError. Runs on a handshake goroutine, never on an
// actor: it may block until deadline.
func (rt *runtime) acceptTLS(conn net.Conn, port string, deadline time.Time) (c net.Conn, leaf *x509.Certificate, plain bool, err error) {
	q := rt.cfg.TLS
	c = conn
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, nil, false, err
	}
	if q.PortUnification {
		br := bufio.NewReaderSize(conn, 16)
		// Peek blocks for five bytes, bounded by the deadline; a short
		// read or a timeout leaves what arrived to the plaintext path.
		first, _ := br.Peek(5)
		c = &peekedConn{Conn: conn, r: br}
		if !looksLikeTLS(first) {
			// Plaintext (or nothing at all): the caller reads it as a
			// non-TLS node does, and reports what it finds.
			return c, nil, true, nil
		}
	}
	tc := tls.Server(c, q.Server.Clone())
	if err := tc.Handshake(); err != nil {
		reason := classifyTLS(err)
		if reason == TLSFailPlaintext {
			err = fmt.Errorf("plaintext on a TLS port (portUnification is off): %w", err)
		}
		return nil, nil, false, rt.tlsFailed(port, reason, err)
	}
	if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
		leaf = certs[0]
	}
	if q.VerifyClientAddress {
		if err := verifyClientAddress(leaf, conn.RemoteAddr()); err != nil {
			return nil, nil, false, rt.tlsFailed(port, TLSFailHostname, err)
		}
	}
	return tc, leaf, false, nil
}

// dialTLS runs the dialing side of quorum TLS on a connected socket to
// server sid at host (the host of its server line: an IP literal or a
// name), bounded by deadline: the client handshake with a clone of
// TLS.Client whose ServerName is host, so Go's verification checks the
// server's certificate against it, then (unless SkipIdentityCheck) that
// the certificate proves sid: the server we reached must be the one we
// meant. Failures are counted under port and returned as *tlsError; the
// returned connection also counts a refusal the peer reports only on the
// first read (TLS 1.3 clients learn that their certificate was refused
// after their handshake completed).
func (rt *runtime) dialTLS(conn net.Conn, port string, sid int64, host string, deadline time.Time) (net.Conn, error) {
	q := rt.cfg.TLS
	cfg := q.Client.Clone()
	cfg.ServerName = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, err
	}
	tc := tls.Client(conn, cfg)
	if err := tc.Handshake(); err != nil {
		return nil, rt.tlsFailed(port, classifyTLS(err), err)
	}
	if !q.SkipIdentityCheck {
		if err := rt.verifyIdentity(tc.ConnectionState().PeerCertificates, sid); err != nil {
			return nil, rt.tlsFailed(port, TLSFailIdentity, err)
		}
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, err
	}
	return &refusalWatch{Conn: tc, rt: rt, port: port, peer: sid}, nil
}

// verifyIdentity checks that a peer's certificate chain proves sid
// (quorumtls.VerifyIdentity against the hosts of server.sid's line). A sid
// outside the configuration has no line to check against and passes, as
// in the source-address check: the callers treat non-members as they do
// without TLS (served as non-voters, or refused by the session).
func (rt *runtime) verifyIdentity(certs []*x509.Certificate, sid int64) error {
	s, ok := rt.peerSources().server(sid)
	if !ok {
		return nil
	}
	var leaf *x509.Certificate
	if len(certs) > 0 {
		leaf = certs[0]
	}
	return quorumtls.VerifyIdentity(leaf, sid, hostsOf(s))
}

// tlsFailed counts a refused TLS connection and wraps err with its reason.
func (rt *runtime) tlsFailed(port, reason string, err error) error {
	rt.tlsStats().add(port, reason)
	return &tlsError{reason: reason, err: err}
}

// verifyClientAddress checks an accepted peer's certificate against the
// IP it connects from, then, as ZooKeeper's trust manager does, against
// the names that IP resolves back to.
func verifyClientAddress(leaf *x509.Certificate, remote net.Addr) error {
	if leaf == nil {
		return errors.New("no client certificate to check against its address")
	}
	ip, ok := remoteIP(remote)
	if !ok {
		return fmt.Errorf("cannot read the address of %v", remote)
	}
	first := leaf.VerifyHostname(ip.String())
	if first == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), sourceResolveMax)
	defer cancel()
	names, _ := net.DefaultResolver.LookupAddr(ctx, ip.String())
	for _, n := range names {
		if leaf.VerifyHostname(strings.TrimSuffix(n, ".")) == nil {
			return nil
		}
	}
	return fmt.Errorf("client certificate is not valid for its address %s (or %v): %w", ip, names, first)
}

// peekedConn is a connection whose first bytes were peeked (to tell TLS
// from plaintext): reads drain the peeked bytes first.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

// Read reads through the buffer that holds the peeked bytes.
func (c *peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// refusalWatch is a dialed TLS connection that counts and logs a refusal
// the peer reports on our first read: a TLS 1.3 server verifies the
// client's certificate after the client's handshake has returned, so an
// alert (bad or unknown certificate) arrives where data was expected.
type refusalWatch struct {
	net.Conn
	rt   *runtime
	port string
	peer int64
	seen atomic.Bool
}

// Read reads, and classifies a failure of the first read.
func (c *refusalWatch) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if (n > 0 || err != nil) && c.seen.CompareAndSwap(false, true) && n == 0 {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "remote error" {
			reason := alertReason(op.Err.Error())
			c.rt.tlsStats().add(c.port, reason)
			peer := fmt.Sprintf("peer %d", c.peer)
			c.rt.warnings().Warn("TLS connection refused by peer", peer, "tls-"+reason,
				"peer", c.peer, "port", c.port, "detail", err.Error())
		}
	}
	return n, err
}
