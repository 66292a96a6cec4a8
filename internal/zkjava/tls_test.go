package zkjava

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/testcerts"
	"go.uber.org/goleak"
)

// tlsMembers gives each of members a key store of type typ signed by ca
// (SAN IP:127.0.0.1, so ZooKeeper's default hostname verification holds
// on loopback) and ca's trust store, written under dir. It returns the
// leaves by sid.
func tlsMembers(t *testing.T, dir string, ca *testcerts.CA, typ string, members []Member) map[int64]*testcerts.Leaf {
	t.Helper()
	const pw = "zkfle-test-pw"
	ext := strings.ToLower(typ)
	trust, err := ca.TrustStore(typ, pw)
	require.NoError(t, err)
	trustPath := filepath.Join(dir, "truststore."+ext)
	require.NoError(t, os.WriteFile(trustPath, trust, 0o600))
	leaves := map[int64]*testcerts.Leaf{}
	for i := range members {
		m := &members[i]
		leaf := ca.MustIssue(testcerts.LeafOptions{CommonName: fmt.Sprintf("server-%d", m.SID),
			IPs: []net.IP{net.ParseIP("127.0.0.1")}})
		ks, err := leaf.KeyStore(typ, pw)
		require.NoError(t, err)
		ksPath := filepath.Join(dir, fmt.Sprintf("s%d-keystore.%s", m.SID, ext))
		require.NoError(t, os.WriteFile(ksPath, ks, 0o600))
		tl := &QuorumTLS{KeyStore: ksPath, KeyStoreType: typ, TrustStore: trustPath, TrustStoreType: typ}
		if typ != testcerts.TypePEM {
			tl.KeyStorePassword, tl.TrustStorePassword = pw, pw
		}
		m.TLS = tl
		leaves[m.SID] = leaf
	}
	return leaves
}

// tlsErrorMarkers are what ZooKeeper logs when a TLS handshake or its
// TLS set-up fails.
var tlsErrorMarkers = []string{"SSLHandshakeException", "SSLException", "Failed to create", "CertificateException",
	"X509Exception", "Leaving listener", "NoClassDefFoundError"}

// A real three-server ZooKeeper ensemble with sslQuorum elects and fails
// over, with key and trust stores made by internal/testcerts in each
// format ZooKeeper reads. Its election port serves TLS only: a TLS client
// with a certificate from the same CA completes a handshake and sees the
// server's own certificate.
func TestRealEnsembleTLS(t *testing.T) {
	defer goleak.VerifyNone(t)
	inst := RequireTLSInstalled(t)
	for _, typ := range []string{testcerts.TypePEM, testcerts.TypePKCS12, testcerts.TypeJKS} {
		t.Run(typ, func(t *testing.T) {
			dir := t.TempDir()
			ca := testcerts.MustCA("zkjava test CA")
			members := javaMembers(t, 3)
			leaves := tlsMembers(t, dir, ca, typ, members)
			e, err := New(inst, Spec{Dir: dir, Members: members})
			require.NoError(t, err)
			t.Cleanup(func() {
				require.NoError(t, e.Stop())
				if t.Failed() {
					t.Logf("%s", e.Logs())
				}
			})
			cfg, err := os.ReadFile(filepath.Join(dir, "s1", "zoo.cfg"))
			require.NoError(t, err)
			assert.Contains(t, string(cfg), "sslQuorum=true\nssl.quorum.keyStore.location=")
			assert.Contains(t, strings.Join(e.Server(1).args, " "), ":"+inst.NettyCodec+" ", "netty-codec on the class path")

			require.NoError(t, e.Start())
			modes, err := e.WaitServing(60 * time.Second)
			require.NoError(t, err)
			leader := oneLeader(t, modes)
			require.NotZero(t, leader)
			var survivors []int64
			for _, sid := range e.SIDs() {
				if sid != leader {
					survivors = append(survivors, sid)
				}
			}
			logs := e.Logs()
			assert.Contains(t, logs, "Using TLS encrypted quorum communication")
			for _, marker := range tlsErrorMarkers {
				assert.NotContainsf(t, logs, marker, "ZooKeeper logged a TLS failure (%s)", marker)
			}

			// The leader's election port is TLS, presenting its certificate.
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", e.Server(leader).ElectionAddr(),
				&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{leaves[1].TLS()}})
			require.NoError(t, err)
			state := conn.ConnectionState()
			require.NoError(t, conn.Close())
			require.NotEmpty(t, state.PeerCertificates)
			assert.Equal(t, leaves[leader].Cert.SerialNumber, state.PeerCertificates[0].SerialNumber)
			assert.Contains(t, []uint16{tls.VersionTLS12, tls.VersionTLS13}, state.Version)
			t.Logf("ZooKeeper's election port negotiated %s, %s with a Go client",
				tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite))

			// Either survivor may lead: the one whose snapshot already
			// holds epoch 1's zxid wins (a follower synced by DIFF may not).
			require.NoError(t, e.Kill(leader))
			a, b := survivors[0], survivors[1]
			require.Eventually(t, func() bool {
				modes, err := e.WaitServing(time.Second, a, b)
				return err == nil && (modes[a].Mode == "leader") != (modes[b].Mode == "leader") &&
					(modes[a].Mode == "follower" || modes[b].Mode == "follower")
			}, 60*time.Second, 100*time.Millisecond, "the survivors elect one of them over TLS")
		})
	}
}
