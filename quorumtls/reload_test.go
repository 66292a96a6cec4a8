package quorumtls_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/quorumtls"
)

// replace writes data to path atomically (write then rename), as
// certificate renewers do.
func replace(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, data, 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// presented is the CN of the certificate s's server config presents.
func presented(t *testing.T, server *tls.Config, client *tls.Config) (string, error) {
	t.Helper()
	_, cli := handshake(t, server, client)
	if cli.err != nil {
		return "", cli.err
	}
	return cli.state.PeerCertificates[0].Subject.CommonName, nil
}

// With sslQuorumReloadCertFiles, replaced files are used by the next
// handshake, on both sides; a broken replacement keeps the old material
// with one WARN naming the file; Close stops the watcher (goleak checks
// no goroutine is left, in TestMain).
func TestReloadPicksUpReplacedFiles(t *testing.T) {
	defer quorumtls.SetPollInterval(10 * time.Millisecond)()
	ca := testcerts.MustCA("ca")
	o := pemOptions(t, loopbackLeaf(ca, "first", "127.0.0.1"), ca)
	o.ReloadCertFiles = true
	before := goleak.IgnoreCurrent()
	log, logs := newLog()
	s := load(t, o, log)
	peer := load(t, pemOptions(t, loopbackLeaf(ca, "peer", "127.0.0.1"), ca), nil)
	client := peer.ClientConfigFor("127.0.0.1")
	server := s.ServerConfig() // made once, as a node does

	cn, err := presented(t, server, client)
	require.NoError(t, err)
	require.Equal(t, "first", cn)

	replace(t, o.KeyStore.Location, loopbackLeaf(ca, "second", "127.0.0.1").KeyStorePEM())
	require.Eventually(t, func() bool { cn, err := presented(t, server, client); return err == nil && cn == "second" },
		5*time.Second, 10*time.Millisecond, "the next handshake presents the new certificate")
	assert.Equal(t, "CN=second,O=zkfle tests", s.Info().Subject)
	assert.Equal(t, 1, logs.count("quorum TLS certificate files reloaded"))

	// A broken key store: the old material stays, one WARN.
	replace(t, o.KeyStore.Location, []byte("not a key store"))
	require.Eventually(t, func() bool { return logs.count("quorum TLS reload failed") == 1 }, 5*time.Second, 5*time.Millisecond)
	cn, err = presented(t, server, client)
	require.NoError(t, err)
	assert.Equal(t, "second", cn)
	assert.Contains(t, logs.String(), o.KeyStore.Location)

	// A new CA everywhere: the new trust store is used to verify clients
	// and the servers we dial.
	ca2 := testcerts.MustCA("ca2")
	// The key store first: it mends the broken one, so every state the
	// poller may see between the two writes loads (the trust store first
	// would pair it with the broken key store: a second broken version).
	replace(t, o.KeyStore.Location, loopbackLeaf(ca2, "third", "127.0.0.1").KeyStorePEM())
	replace(t, o.TrustStore.Location, append(append([]byte{}, ca.PEM...), ca2.PEM...))
	newPeer := load(t, pemOptions(t, loopbackLeaf(ca2, "newpeer", "127.0.0.1"), ca2), nil)
	require.Eventually(t, func() bool {
		srv, cli := handshake(t, server, newPeer.ClientConfigFor("127.0.0.1"))
		return srv.err == nil && cli.err == nil
	}, 5*time.Second, 10*time.Millisecond, "a client of the new CA is accepted")
	srv, cli := handshake(t, newPeer.ServerConfig(), s.ClientConfigFor("127.0.0.1"))
	require.NoError(t, srv.err)
	require.NoError(t, cli.err)
	assert.Equal(t, "third", srv.state.PeerCertificates[0].Subject.CommonName)
	assert.Equal(t, 1, logs.count("quorum TLS reload failed"), "the broken version was reported once")

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	goleak.VerifyNone(t, before, goleak.IgnoreCurrent()) // ... and no watcher is left
}

// Without sslQuorumReloadCertFiles no watcher runs.
func TestNoReloadByDefault(t *testing.T) {
	ca := testcerts.MustCA("ca")
	before := goleak.IgnoreCurrent()
	s := load(t, pemOptions(t, loopbackLeaf(ca, "first", "127.0.0.1"), ca), nil)
	goleak.VerifyNone(t, before)
	assert.Equal(t, "CN=first,O=zkfle tests", s.Info().Subject)
}

// Load warns about a certificate near its expiry or not valid yet, and
// refuses an expired one.
func TestValidityAtLoad(t *testing.T) {
	ca := testcerts.MustCA("ca")
	soon := ca.MustIssue(testcerts.LeafOptions{CommonName: "soon", IPs: ipList("127.0.0.1"), NotAfter: time.Now().Add(72 * time.Hour)})
	log, logs := newLog()
	s := load(t, pemOptions(t, soon, ca), log)
	assert.Equal(t, 1, logs.count("level=WARN msg=\"quorum TLS certificate expires soon: renew it\""), logs.String())
	assert.Contains(t, logs.String(), "days_left=2")
	info := s.Info()
	assert.Equal(t, soon.Cert.NotAfter, info.NotAfter)
	assert.Equal(t, []string{"IP:127.0.0.1"}, info.SANs)
	assert.Equal(t, "CN=ca,O=zkfle tests", info.Issuer)

	log, logs = newLog()
	future := ca.MustIssue(testcerts.LeafOptions{CommonName: "future", IPs: ipList("127.0.0.1"), NotBefore: time.Now().Add(time.Hour)})
	load(t, pemOptions(t, future, ca), log)
	assert.Equal(t, 1, logs.count("quorum TLS certificate is not valid yet"), logs.String())

	log, logs = newLog()
	fine := ca.MustIssue(testcerts.LeafOptions{CommonName: "fine", NotAfter: time.Now().Add(31 * 24 * time.Hour)})
	load(t, pemOptions(t, fine, ca), log)
	assert.Equal(t, 0, logs.count("WARN"), logs.String())
}

func TestExpiredCertificateRefusedAtLoad(t *testing.T) {
	ca := testcerts.MustCA("ca")
	old := ca.MustIssue(testcerts.LeafOptions{CommonName: "old", NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Minute)})
	o := pemOptions(t, old, ca)
	_, err := quorumtls.Load(o, nil)
	require.ErrorIs(t, err, quorumtls.ErrExpired)
	assert.Contains(t, err.Error(), filepath.Base(o.KeyStore.Location))
}
