package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/internal/zkjava"
)

// Quorum TLS with real ZooKeeper 3.8 (issue 12): cmd/node processes 1, 2
// and ZooKeeper servers 3..7 (the layout of TestInteropLeaderLoss: the Java
// servers keep a quorum after losing their leader) share one server list,
// all with sslQuorum=true and key stores from one CA, everything on
// 127.0.0.1 (ZooKeeper dials from its default source address, so its
// hostname verification sees 127.0.0.1 for every peer).

// javaTLSFailures are what ZooKeeper logs when a TLS handshake with a peer
// fails, a peer's certificate is refused, or a plaintext peer knocks.
var javaTLSFailures = []string{"SSLHandshakeException", "SSLException", "CertificateException",
	"Failed to verify", "Blocked insecure connection", "Accepted plaintext connection", "Leaving listener"}

// javaTLSTiming is zoo.cfg timing equal to the Java servers' (zkjava's).
var javaTLSTiming = fmt.Sprintf("tickTime=%d\ninitLimit=10\nsyncLimit=5\n", zkjava.DefaultTickTime.Milliseconds())

// Java and zkfle nodes over TLS, with PEM and with PKCS12 stores: the
// zkfle nodes join the ZooKeeper leader, each registering with it on its
// TLS quorum port, and all report its epoch. Killing it, the Java survivors elect another
// and the zkfle nodes follow that one in its new epoch. ZooKeeper logs no
// TLS failure.
func TestTLSInteropMixed(t *testing.T) {
	checkLeaks(t)
	inst := zkjava.RequireTLSInstalled(t)
	for _, typ := range []string{testcerts.TypePEM, testcerts.TypePKCS12} {
		t.Run(typ, func(t *testing.T) {
			e := newTLSEnsemble(t, 7, tlsOptions{storeType: typ, mode: tlsOnly, timing: javaTLSTiming})
			var members []zkjava.Member
			for _, sid := range sidsUpTo(7) {
				s := e.servers[sid]
				m := zkjava.Member{SID: sid, QuorumPort: s.quorumPort, ElectionPort: s.electionPort,
					ClientPort: s.clientPort, Java: sid >= 3}
				if m.Java {
					m.TLS = &zkjava.QuorumTLS{KeyStore: e.keyStorePath(sid), KeyStoreType: typ,
						TrustStore: e.trustStorePath(sid), TrustStoreType: typ}
					if typ != testcerts.TypePEM {
						m.TLS.KeyStorePassword, m.TLS.TrustStorePassword = tlsStorePassword, tlsStorePassword
					}
				}
				members = append(members, m)
			}
			java, err := zkjava.New(inst, zkjava.Spec{Dir: t.TempDir(), Members: members})
			require.NoError(t, err)
			t.Cleanup(func() {
				require.NoError(t, java.Stop())
				if t.Failed() {
					t.Logf("ZooKeeper logs:\n%s", java.Logs())
				}
			})
			nodeBinary(t) // build before the clock starts
			require.NoError(t, java.Start())
			zkfle, javaSIDs := []int64{1, 2}, java.SIDs()
			// The zkfle nodes join once the Java servers serve (as in
			// TestInteropLateJoiner): in a joint cold start, two zkfle
			// election-only followers that reach the Java leader's quorum
			// port before it listens can keep sending each other back to
			// LOOKING ("a voter is looking in a newer round"), with or
			// without TLS (TestInteropProcessColdStartMixed shows it too).
			javaOnly := e.waitMixedSettled(interopTimeout, nil, javaSIDs)
			e.start(zkfle...)
			first := e.waitMixedSettled(interopTimeout, zkfle, javaSIDs)
			assert.Equal(t, javaOnly.leader, first.leader, "the zkfle nodes join the Java leader")
			leaderLog := func() string { return java.Server(first.leader).Log() }
			require.Truef(t, waitFor(interopTimeout, func() bool {
				return learnerConnected(1).MatchString(leaderLog()) && learnerConnected(2).MatchString(leaderLog())
			}), "the Java leader %d heard both zkfle nodes' FOLLOWERINFO over TLS", first.leader)
			logs := java.Logs()
			for _, sid := range zkfle {
				// ZooKeeper (higher sids) dials the zkfle election ports.
				assert.Containsf(t, logs, fmt.Sprintf("SSL handshake complete with /127.0.0.1:%d", e.servers[sid].electionPort),
					"a Java server completed a TLS handshake with zkfle %d's election port", sid)
			}
			assert.Contains(t, logs, "Using TLS encrypted quorum communication")
			assert.Contains(t, logs, "Creating TLS-only quorum server socket")
			for _, marker := range javaTLSFailures {
				assert.NotContainsf(t, logs, marker, "ZooKeeper logged a TLS failure (%s)", marker)
			}

			require.NoError(t, java.Kill(first.leader))
			var survivors []int64
			for _, sid := range javaSIDs {
				if sid != first.leader {
					survivors = append(survivors, sid)
				}
			}
			second := e.waitMixedSettled(interopTimeout, zkfle, survivors)
			assert.GreaterOrEqualf(t, second.leader, int64(3), "a ZooKeeper server leads again: %+v", second)
			assert.Greater(t, second.epoch, first.epoch, "in a newer epoch, which the zkfle nodes report too")
			t.Logf("%s: Java leader %d (epoch %d) killed; Java leader %d in epoch %d, zkfle 1 and 2 follow it",
				typ, first.leader, first.epoch, second.leader, second.epoch)
			logs = java.Logs()
			for _, marker := range []string{"SSLHandshakeException", "CertificateException", "Failed to verify",
				"Blocked insecure connection", "Accepted plaintext connection"} {
				assert.NotContainsf(t, logs, marker, "ZooKeeper logged a TLS failure (%s) after the failover", marker)
			}
			assert.Equal(t, 0, strings.Count(logs, "Leaving listener"), "no Java election listener died")
		})
	}
}
