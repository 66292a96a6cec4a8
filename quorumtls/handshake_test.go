package quorumtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/quorumtls"
)

// outcome is one side of a handshake.
type outcome struct {
	state tls.ConnectionState
	err   error
}

// handshake connects a client with cli to a server with srv over
// loopback TCP. The server writes one byte once its handshake is done and
// the client reads it, so that a refusal by the server after the
// client's handshake (TLS 1.3 client certificates) reaches the client.
func handshake(t *testing.T, srv, cli *tls.Config) (server, client outcome) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan outcome, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- outcome{err: err}
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		tc := tls.Server(c, srv)
		err = tc.Handshake()
		if err == nil {
			_, err = tc.Write([]byte{1})
		}
		done <- outcome{state: tc.ConnectionState(), err: err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	tc := tls.Client(c, cli)
	err = tc.Handshake()
	if err == nil {
		_, err = tc.Read(make([]byte, 1))
	}
	client = outcome{state: tc.ConnectionState(), err: err}
	_ = c.Close()
	return <-done, client
}

// A pair of Sources with certificates for 127.0.0.1 from one CA
// handshakes with mutual authentication, and by default negotiates what
// a ZooKeeper 3.8 peer would: TLS 1.2 and a GCM suite.
func TestSourcesHandshakeMutually(t *testing.T) {
	ca := testcerts.MustCA("ca")
	s1 := load(t, pemOptions(t, loopbackLeaf(ca, "server1", "127.0.0.1"), ca), nil)
	s2 := load(t, pemOptions(t, loopbackLeaf(ca, "server2", "127.0.0.1"), ca), nil)

	srv, cli := handshake(t, s1.ServerConfig(), quorumtls.ForHost(s2.ClientConfig(), "127.0.0.1"))
	require.NoError(t, srv.err)
	require.NoError(t, cli.err)
	assert.Equal(t, "server2", srv.state.PeerCertificates[0].Subject.CommonName, "the client presented its certificate")
	assert.Equal(t, "server1", cli.state.PeerCertificates[0].Subject.CommonName)
	assert.Equal(t, uint16(tls.VersionTLS12), cli.state.Version)
	assert.Equal(t, uint16(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), cli.state.CipherSuite)

	// TLS 1.3 when both enable it.
	o1 := pemOptions(t, loopbackLeaf(ca, "a", "127.0.0.1"), ca)
	o1.Protocol = "TLS"
	o2 := o1
	o2.EnabledProtocols = []string{"TLSv1.3"}
	a, b := load(t, o1, nil), load(t, o2, nil)
	srv, cli = handshake(t, a.ServerConfig(), quorumtls.ForHost(b.ClientConfig(), "127.0.0.1"))
	require.NoError(t, srv.err)
	require.NoError(t, cli.err)
	assert.Equal(t, uint16(tls.VersionTLS13), cli.state.Version)
	require.NotEmpty(t, srv.state.PeerCertificates)
}

// ssl.quorum.clientAuth: need refuses a client without a certificate,
// want and none accept it; none does not even ask.
func TestClientAuthModes(t *testing.T) {
	ca := testcerts.MustCA("ca")
	srvLeaf := loopbackLeaf(ca, "server", "127.0.0.1")
	bare := &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	withCert := &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1",
		Certificates: []tls.Certificate{loopbackLeaf(ca, "client", "127.0.0.1").TLS()}}
	for _, c := range []struct {
		auth            quorumtls.ClientAuth
		bareOK, askCert bool
	}{{quorumtls.ClientAuthNeed, false, true}, {quorumtls.ClientAuthWant, true, true}, {quorumtls.ClientAuthNone, true, false}} {
		t.Run(string(c.auth), func(t *testing.T) {
			o := pemOptions(t, srvLeaf, ca)
			o.ClientAuth = c.auth
			s := load(t, o, nil)
			srv, cli := handshake(t, s.ServerConfig(), bare)
			if c.bareOK {
				require.NoError(t, srv.err)
				require.NoError(t, cli.err)
			} else {
				require.Error(t, srv.err)
				assert.Contains(t, srv.err.Error(), "didn't provide a certificate")
				require.Error(t, cli.err)
			}
			srv, cli = handshake(t, s.ServerConfig(), withCert)
			require.NoError(t, srv.err)
			require.NoError(t, cli.err)
			assert.Equal(t, c.askCert, len(srv.state.PeerCertificates) > 0, "client certificate received")
		})
	}
}

// Hostname verification checks the server's certificate against the host
// dialled; off, only the chain counts.
func TestHostnameVerification(t *testing.T) {
	ca := testcerts.MustCA("ca")
	server := load(t, pemOptions(t, loopbackLeaf(ca, "server", "127.0.0.2"), ca), nil)
	on := load(t, pemOptions(t, loopbackLeaf(ca, "client", "127.0.0.1"), ca), nil)
	offOpts := pemOptions(t, loopbackLeaf(ca, "client", "127.0.0.1"), ca)
	offOpts.HostnameVerification = false
	off := load(t, offOpts, nil)

	// The server's certificate is for 127.0.0.2; we dial 127.0.0.1.
	_, cli := handshake(t, server.ServerConfig(), quorumtls.ForHost(on.ClientConfig(), "127.0.0.1"))
	var hostErr x509.HostnameError
	require.ErrorAs(t, cli.err, &hostErr)
	var cve *tls.CertificateVerificationError
	require.ErrorAs(t, cli.err, &cve)

	_, cli = handshake(t, server.ServerConfig(), quorumtls.ForHost(on.ClientConfig(), "127.0.0.2"))
	require.NoError(t, cli.err, "the server line's host is what is checked, not the address dialled")

	_, cli = handshake(t, server.ServerConfig(), quorumtls.ForHost(off.ClientConfig(), "127.0.0.1"))
	require.NoError(t, cli.err)

	// Without ForHost an IP host is not visible to the check: refused.
	cfg := on.ClientConfig().Clone()
	cfg.ServerName = "127.0.0.2"
	_, cli = handshake(t, server.ServerConfig(), cfg)
	require.ErrorIs(t, cli.err, quorumtls.ErrNoServerName)

	// A DNS name is (it is the SNI name).
	dnsServer := load(t, pemOptions(t, ca.MustIssue(testcerts.LeafOptions{CommonName: "d", DNSNames: []string{"localhost"}}), ca), nil)
	cfg = on.ClientConfig().Clone()
	cfg.ServerName = "localhost"
	_, cli = handshake(t, dnsServer.ServerConfig(), cfg)
	require.NoError(t, cli.err)
	cfg.ServerName = "zk1.example"
	_, cli = handshake(t, dnsServer.ServerConfig(), cfg)
	require.ErrorAs(t, cli.err, &hostErr)
}

// Certificates from another CA, or expired, are refused both ways.
func TestUntrustedAndExpiredRefused(t *testing.T) {
	ca, other := testcerts.MustCA("ca"), testcerts.MustCA("other")
	s := load(t, pemOptions(t, loopbackLeaf(ca, "server", "127.0.0.1"), ca), nil)
	stranger := other.MustIssue(testcerts.LeafOptions{CommonName: "stranger", IPs: ipList("127.0.0.1")})
	expired := ca.MustIssue(testcerts.LeafOptions{CommonName: "old", IPs: ipList("127.0.0.1"),
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})

	for name, leaf := range map[string]*testcerts.Leaf{"other CA": stranger, "expired": expired} {
		t.Run(name, func(t *testing.T) {
			// As a client of our server.
			// (GetClientCertificate: Go's client would not even send a
			// certificate the server's CA list does not name.)
			cert := leaf.TLS()
			cli := &tls.Config{InsecureSkipVerify: true,
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }}
			srv, _ := handshake(t, s.ServerConfig(), cli)
			require.Error(t, srv.err)
			var cve *tls.CertificateVerificationError
			require.ErrorAs(t, srv.err, &cve)

			// As a server we dial.
			peer := &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}, ClientAuth: tls.RequestClientCert}
			_, c := handshake(t, peer, quorumtls.ForHost(s.ClientConfig(), "127.0.0.1"))
			require.ErrorAs(t, c.err, &cve)
			if name == "expired" {
				var inv x509.CertificateInvalidError
				require.ErrorAs(t, c.err, &inv)
				assert.Equal(t, x509.Expired, inv.Reason)
			} else {
				var ua x509.UnknownAuthorityError
				require.True(t, errors.As(c.err, &ua), c.err)
			}
		})
	}
}

// ForHost clones foreign configs with ServerName set, so Go's own
// verification checks the host.
func TestForHostForeignConfig(t *testing.T) {
	ca := testcerts.MustCA("ca")
	s := load(t, pemOptions(t, loopbackLeaf(ca, "server", "127.0.0.2"), ca), nil)
	foreign := &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{loopbackLeaf(ca, "c", "127.0.0.1").TLS()}}
	c := quorumtls.ForHost(foreign, "127.0.0.2")
	assert.Equal(t, "127.0.0.2", c.ServerName)
	assert.Empty(t, foreign.ServerName, "the original is untouched")
	_, cli := handshake(t, s.ServerConfig(), c)
	require.NoError(t, cli.err)
	_, cli = handshake(t, s.ServerConfig(), quorumtls.ForHost(foreign, "127.0.0.1"))
	var hostErr x509.HostnameError
	require.ErrorAs(t, cli.err, &hostErr)
}
