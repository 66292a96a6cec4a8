package tests

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rolling switch of a running plaintext ensemble to TLS, one server at a
// time, followers first and the leader last in each pass, as ZooKeeper's
// admin guide does it (a node that connects with TLS needs every peer to
// accept TLS first, so sslQuorum cannot come in the same pass as
// portUnification):
//
//  1. key and trust stores plus portUnification=true (sslQuorum=false):
//     accept both, connect in plaintext;
//  2. sslQuorum=true: accept both, connect with TLS;
//  3. portUnification off: TLS only.
//
// The ensemble is never without a leader for longer than one failover, at
// most one failover happens per pass (the leader's restart), no epoch ever
// has two leaders, and at the end plaintext is refused on both ports while
// TLS peers are answered.
func TestTLSRollingUpgrade(t *testing.T) {
	checkLeaks(t)
	e := newTLSEnsemble(t, 3, tlsOptions{mode: tlsOff})
	all := sidsUpTo(3)
	e.start()
	cur := e.waitSettled(all...)
	e.sample()
	started := time.Now()
	for _, mode := range []tlsMode{tlsUnifiedPlain, tlsUnified, tlsOnly} {
		order := append(e.others(cur.leader), cur.leader)
		for _, sid := range order {
			require.Equalf(t, 0, e.stop(sid), "server %d stops cleanly", sid)
			e.setMode(sid, mode)
			cur = e.restartSettled(sid, all...)
		}
		t.Logf("all servers %s after %v: leader %d, epoch %d", mode, time.Since(started), cur.leader, cur.epoch)
		if mode == tlsUnifiedPlain {
			// Every port now takes both: a plaintext peer and a TLS peer,
			// each claiming sid 3 at server 1, are answered.
			plain := claimAnswered(claimTimeout, func() claimOutcome {
				return electionClaim(e.host(3), e.electionAddr(1), nil, 3, e.electionAddr(3))
			})
			assert.Truef(t, plain.answered, "portUnification takes a plaintext peer: %v", plain.err)
			secure := claimAnswered(claimTimeout, func() claimOutcome {
				return electionClaim(e.host(3), e.electionAddr(1), peerTLS(e.leaves[3], e.ca.Pool(), e.host(1)), 3, e.electionAddr(3))
			})
			assert.Truef(t, secure.answered, "portUnification takes a TLS peer: %v", secure.err)
		}
	}
	e.rec.stop()
	samples := e.rec.snapshot()
	requireOneLeaderPerEpoch(t, samples)
	gap := longestLeaderless(samples)
	assert.Lessf(t, gap, failoverBound, "the ensemble was without a leader for %v", gap)
	epochs := len(leadersByEpoch(samples))
	assert.LessOrEqualf(t, epochs, 4, "at most one failover per pass: leaders in %d epochs", epochs)
	t.Logf("rolling switch to TLS took %v; longest time without a leader %v; %d epochs", time.Since(started), gap, epochs)

	// TLS only now: plaintext is refused on both ports, TLS is answered.
	plain := electionClaim(e.host(3), e.electionAddr(1), nil, 3, e.electionAddr(3))
	assert.Falsef(t, plain.answered, "a plaintext peer was answered on the election port after the switch")
	secure := claimAnswered(claimTimeout, func() claimOutcome {
		return electionClaim(e.host(3), e.electionAddr(1), peerTLS(e.leaves[3], e.ca.Pool(), e.host(1)), 3, e.electionAddr(3))
	})
	assert.Truef(t, secure.answered, "a TLS peer is answered on the election port: %v", secure.err)
	follower := e.others(cur.leader)[0]
	got := quorumClaim(e.host(follower), e.quorumAddr(cur.leader), nil, follower)
	assert.Falsef(t, got.answered, "a plaintext learner got LEADERINFO after the switch")
	assert.Equal(t, cur, e.waitSettled(all...), "the refused peers moved nothing")
}

// longestLeaderless is the longest time between two samples that saw a
// leader (any server reporting leader), from the first such sample on.
func longestLeaderless(samples []sample) time.Duration {
	var times []time.Time
	for _, s := range samples {
		if s.role.mode == "leader" {
			times = append(times, s.at)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	var longest time.Duration
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d > longest {
			longest = d
		}
	}
	return longest
}
