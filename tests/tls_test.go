package tests

import (
	"crypto/tls"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/testcerts"
)

// Quorum TLS between cmd/node processes (issue 12), configured only through
// ZooKeeper's zoo.cfg keys: sslQuorum=true and ssl.quorum.keyStore/trustStore.
// Each server lives on its own loopback alias (server N on 127.0.0.(N+1))
// with a certificate for that address, unless the test says otherwise.

// operatorIP is where the tests' own TLS clients connect from; no server
// line names it.
const operatorIP = "127.0.0.9"

// operatorLeaf is a certificate from e's CA for operatorIP: what the
// tests' own TLS clients present.
func (e *tlsEnsemble) operatorLeaf() *testcerts.Leaf {
	return e.ca.MustIssue(testcerts.LeafOptions{CommonName: "operator", IPs: []net.IP{net.ParseIP(operatorIP)}})
}

// Ensembles of 3 (PEM stores) and 5 (PKCS12 stores) over TLS elect, fail
// over after kill -9 of the leader and take the old leader back, as in
// plaintext; both ports of the leader serve TLS with its certificate.
func TestTLSEnsembleFailover(t *testing.T) {
	checkLeaks(t)
	for _, c := range []struct {
		n   int
		typ string
	}{{3, testcerts.TypePEM}, {5, testcerts.TypePKCS12}} {
		t.Run(fmt.Sprintf("N=%d/%s", c.n, c.typ), func(t *testing.T) {
			e := newTLSEnsemble(t, c.n, tlsOptions{storeType: c.typ, aliased: true, mode: tlsOnly})
			e.start()
			all := sidsUpTo(c.n)
			before := e.waitSettled(all...)
			require.Positive(t, before.epoch)

			op := e.operatorLeaf()
			for _, addr := range []string{e.electionAddr(before.leader), e.quorumAddr(before.leader)} {
				serial, err := presented(operatorIP, addr, peerTLS(op, e.ca.Pool(), e.host(before.leader)))
				require.NoErrorf(t, err, "TLS handshake with %s", addr)
				assert.Equalf(t, e.leaves[before.leader].Cert.SerialNumber.String(), serial, "%s presents the leader's certificate", addr)
			}

			e.sample()
			killedAt := time.Now()
			e.kill9(before.leader)
			survivors := e.others(before.leader)
			after := e.waitSettled(survivors...)
			failover := time.Since(killedAt)
			assert.NotEqual(t, before.leader, after.leader)
			assert.Greater(t, after.epoch, before.epoch)
			assert.Lessf(t, failover, failoverBound, "failover over TLS after kill -9 took %v", failover)
			t.Logf("N=%d over TLS (%s): kill -9 of leader %d, leader %d established in epoch %d after %v",
				c.n, c.typ, before.leader, after.leader, after.epoch, failover)

			e.start(before.leader)
			rejoined := e.waitSettled(all...)
			assert.Equal(t, after, rejoined, "the restarted server follows the current leader in its epoch")
			e.rec.stop()
			requireOneLeaderPerEpoch(t, e.rec.snapshot())
		})
	}
}

// Peers that cannot prove who they are get nothing from a TLS node, on
// either port: a plaintext peer, one without a certificate, one whose
// certificate comes from another CA, an expired one, and a valid member
// certificate presented from another member's address. Each would have
// been answered with the right certificate (the controls). The ensemble's
// leader and epoch stay as they were. Which sid leads is not assumed: the
// processes start one after another and the fast paths let the first
// quorum up elect the best of itself (README "Performance"); the claims
// are built around whoever leads.
func TestTLSRefusesBadPeers(t *testing.T) {
	checkLeaks(t)
	e := newTLSEnsemble(t, 3, tlsOptions{aliased: true, mode: tlsOnly})
	e.start()
	before := e.waitSettled(1, 2, 3)
	leader := before.leader
	followers := e.others(leader) // ascending
	a, b := followers[0], followers[1]
	t.Logf("leader %d, followers %d and %d", leader, a, b)

	otherCA := testcerts.MustCA("another CA")
	foreign := otherCA.MustIssue(testcerts.LeafOptions{CommonName: fmt.Sprintf("server-%d", leader), IPs: []net.IP{net.ParseIP(e.host(leader))}})
	expired := e.issue(leader, testcerts.LeafOptions{NotBefore: time.Now().Add(-3 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	// Each bad peer connects from the address of the sid it claims, so
	// only its certificate (or its lack of one) can stop it.
	type peer struct {
		name string
		leaf *testcerts.Leaf // nil: no certificate
		tls  bool
	}
	bad := []peer{
		{"plaintext", nil, false},
		{"no certificate", nil, true},
		{"another CA", foreign, true},
		{"expired", expired, true},
		{fmt.Sprintf("server %d's certificate", b), e.leaves[b], true},
	}
	cfgFor := func(p peer, serverSID int64) *tls.Config {
		if !p.tls {
			return nil
		}
		return peerTLS(p.leaf, e.ca.Pool(), e.host(serverSID))
	}

	t.Run("election port", func(t *testing.T) {
		// Follower a's election port, claiming the leader's sid from its address.
		control := claimAnswered(claimTimeout, func() claimOutcome {
			return electionClaim(e.host(leader), e.electionAddr(a), peerTLS(e.leaves[leader], e.ca.Pool(), e.host(a)), leader, e.electionAddr(leader))
		})
		require.Truef(t, control.answered, "server %d's own certificate is answered: %v", leader, control.err)
		for _, p := range bad {
			got := electionClaim(e.host(leader), e.electionAddr(a), cfgFor(p, a), leader, e.electionAddr(leader))
			assert.Falsef(t, got.answered, "%s: answered", p.name)
			t.Logf("election port, %s: %v", p.name, got.err)
		}
	})
	t.Run("quorum port", func(t *testing.T) {
		// The leader's quorum port, claiming follower a from a's address.
		for _, p := range bad {
			got := quorumClaim(e.host(a), e.quorumAddr(leader), cfgFor(p, leader), a)
			assert.Falsef(t, got.answered, "%s: got LEADERINFO", p.name)
			t.Logf("quorum port, %s: %v", p.name, got.err)
		}
	})
	assert.Equal(t, before, e.waitSettled(1, 2, 3), "the refused peers changed no leader and no epoch")

	// Control for the quorum port, once follower a is gone so that the
	// claim takes no live member's place: its own certificate is answered.
	e.kill9(a)
	control := quorumClaim(e.host(a), e.quorumAddr(leader), peerTLS(e.leaves[a], e.ca.Pool(), e.host(leader)), a)
	assert.Truef(t, control.answered, "server %d's own certificate gets LEADERINFO: %v", a, control.err)
}

// Identity bound to the sid: all servers share 127.0.0.1, so hostname
// verification and the peer-address check cannot tell them apart; their
// certificates name their sids (URI SAN zkfle:sid:N). A follower's valid
// certificate claiming the leader's sid on the election port, or the
// other follower's sid on the leader's quorum port, is refused; the
// owner's certificate is answered.
// The stores are JKS, the third format ZooKeeper reads.
func TestTLSIdentityBinding(t *testing.T) {
	checkLeaks(t)
	e := newTLSEnsemble(t, 3, tlsOptions{storeType: testcerts.TypeJKS, sidSANs: true, mode: tlsOnly})
	e.start()
	before := e.waitSettled(1, 2, 3)
	// Whoever leads (not assumed: fast paths after a staggered start);
	// a and b are the followers.
	leader := before.leader
	followers := e.others(leader)
	a, b := followers[0], followers[1]
	t.Logf("leader %d, followers %d and %d", leader, a, b)
	as := func(sid, server int64) *tls.Config { return peerTLS(e.leaves[sid], e.ca.Pool(), e.host(server)) }

	got := electionClaim(e.host(b), e.electionAddr(a), as(b, a), leader, e.electionAddr(leader))
	assert.Falsef(t, got.answered, "server %d's certificate claiming sid %d on the election port was answered", b, leader)
	t.Logf("election port, server %d claiming sid %d: %v", b, leader, got.err)
	control := claimAnswered(claimTimeout, func() claimOutcome {
		return electionClaim(e.host(leader), e.electionAddr(a), as(leader, a), leader, e.electionAddr(leader))
	})
	assert.Truef(t, control.answered, "server %d's certificate claiming sid %d is answered: %v", leader, leader, control.err)

	// Follower a goes, so that a claim of sid a takes no live member's place.
	e.kill9(a)
	got = quorumClaim(e.host(b), e.quorumAddr(leader), as(b, leader), a)
	assert.Falsef(t, got.answered, "server %d's certificate claiming sid %d on the quorum port got LEADERINFO", b, a)
	t.Logf("quorum port, server %d claiming sid %d: %v", b, a, got.err)
	control = quorumClaim(e.host(a), e.quorumAddr(leader), as(a, leader), a)
	assert.Truef(t, control.answered, "server %d's certificate claiming sid %d gets LEADERINFO: %v", a, a, control.err)

	assert.Equal(t, before, e.waitSettled(b, leader), "no impostor moved the leader or the epoch")
}
