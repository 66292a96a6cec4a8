package probe

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/quorumtls"
	"github.com/zkfle/zkfle/zk"
)

// tlsFakeServer is a fake election port behind TLS with mutual
// authentication (ZooKeeper's clientAuth=need), presenting a certificate
// for 127.0.0.1 from ca; it answers as FOLLOWING and reports the client
// certificate's CN on peerCN.
func tlsFakeServer(t *testing.T, ca *testcerts.CA) (*fakeServer, chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srvCert := ca.MustIssue(testcerts.LeafOptions{CommonName: "server", IPs: []net.IP{net.ParseIP("127.0.0.1")}}).TLS()
	peerCN := make(chan string, 1)
	cfg := &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientCAs: ca.Pool(), ClientAuth: tls.RequireAndVerifyClientCert}
	f := newFakeServerOn(t, tls.NewListener(ln, cfg), func(c net.Conn) {
		peerCN <- c.(*tls.Conn).ConnectionState().PeerCertificates[0].Subject.CommonName
		sendNotification(c, electionwire.Notification{State: zk.Following, Leader: 3, ElectionEpoch: 2, Version: 2, Config: []byte{}})
		waitClosed(c)
	})
	return f, peerCN
}

// Over TLS the probe sends the same header and notification inside the
// TLS stream, presents its certificate and reads the answer.
func TestProbeOverTLS(t *testing.T) {
	ca := testcerts.MustCA("ca")
	f, peerCN := tlsFakeServer(t, ca)
	client := &tls.Config{RootCAs: ca.Pool(),
		Certificates: []tls.Certificate{ca.MustIssue(testcerts.LeafOptions{CommonName: "probe"}).TLS()}}

	r, err := One(context.Background(), f.addr(), Options{Settle: -1, TLS: client})
	require.NoError(t, err)
	assert.Equal(t, zk.Following, r.State)
	assert.Equal(t, int64(3), r.Leader)
	assert.Equal(t, "probe", <-peerCN)
	hdr, n, _ := f.received()
	assert.Equal(t, DefaultSID, hdr.SID)
	assert.Equal(t, zk.Looking, n.State)
	assert.Empty(t, client.ServerName, "the caller's config is not changed")
}

// A config from a quorumtls.Source (as node probe --tls-config builds)
// works too: its hostname check is bound to the address's host.
func TestProbeOverTLSWithSource(t *testing.T) {
	ca := testcerts.MustCA("ca")
	f, _ := tlsFakeServer(t, ca)
	dir := t.TempDir()
	o := quorumtls.DefaultOptions()
	o.KeyStore.Location = filepath.Join(dir, "probe.pem")
	o.TrustStore.Location = filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(o.KeyStore.Location, ca.MustIssue(testcerts.LeafOptions{CommonName: "probe"}).KeyStorePEM(), 0o600))
	require.NoError(t, os.WriteFile(o.TrustStore.Location, ca.PEM, 0o600))
	src, err := quorumtls.Load(o, nil)
	require.NoError(t, err)
	defer src.Close()

	r, err := One(context.Background(), f.addr(), Options{Settle: -1, TLS: src.ClientConfig(), TLSFor: src.ClientConfigFor})
	require.NoError(t, err)
	assert.Equal(t, int64(3), r.Leader)
}

// A server whose certificate does not verify, or that refuses ours, is a
// TLS error, not a silent "no reply".
func TestProbeTLSFailures(t *testing.T) {
	ca, other := testcerts.MustCA("ca"), testcerts.MustCA("other")
	probeCert := ca.MustIssue(testcerts.LeafOptions{CommonName: "probe"}).TLS()

	f, _ := tlsFakeServer(t, ca)
	_, err := One(context.Background(), f.addr(), Options{Timeout: 5 * time.Second,
		TLS: &tls.Config{RootCAs: other.Pool(), Certificates: []tls.Certificate{probeCert}}})
	require.ErrorIs(t, err, ErrTLS, "server certificate from an unknown CA")
	var ae *AddrError
	require.ErrorAs(t, err, &ae)

	f, _ = tlsFakeServer(t, ca)
	_, err = One(context.Background(), f.addr(), Options{Timeout: 5 * time.Second, TLSServerName: "127.0.0.2",
		TLS: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{probeCert}}})
	require.ErrorIs(t, err, ErrTLS, "certificate not valid for the server name")

	for _, maxVersion := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		f, _ = tlsFakeServer(t, ca)
		_, err = One(context.Background(), f.addr(), Options{Timeout: 5 * time.Second,
			TLS: &tls.Config{RootCAs: ca.Pool(), MaxVersion: maxVersion}})
		require.ErrorIs(t, err, ErrTLS, "no client certificate (TLS %x)", maxVersion)
	}
}
