package tests

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/testcerts"
)

// reloadTimeout bounds how long a node may take to notice a renewed key
// store (ZooKeeper reacts to the file system event at once).
const reloadTimeout = 20 * time.Second

// With sslQuorumReloadCertFiles=true, renewing the leader's key store file
// while it runs (a new certificate, atomically renamed over the old file)
// changes what new connections to both its ports are shown, without a
// restart and without disturbing anything: no server ever leaves its role,
// the leader and epoch stay. A follower restarted afterwards completes
// its handshakes with the renewed leader and rejoins in the same epoch.
func TestTLSReloadCertFiles(t *testing.T) {
	checkLeaks(t)
	e := newTLSEnsemble(t, 3, tlsOptions{aliased: true, mode: tlsOnly, extra: []string{"sslQuorumReloadCertFiles=true"}})
	e.start()
	before := e.waitSettled(1, 2, 3)
	leader := before.leader
	cfg := peerTLS(e.operatorLeaf(), e.ca.Pool(), e.host(leader))
	ports := []string{e.electionAddr(leader), e.quorumAddr(leader)}
	for _, addr := range ports {
		serial, err := presented(operatorIP, addr, cfg)
		require.NoError(t, err)
		require.Equal(t, e.leaves[leader].Cert.SerialNumber.String(), serial, "%s before the renewal", addr)
	}

	sampledFrom := time.Now()
	e.sample()
	renewed := e.issue(leader, testcerts.LeafOptions{})
	e.writeKeyStore(leader, renewed)
	renewedAt := time.Now()
	want := renewed.Cert.SerialNumber.String()
	var last []string
	ok := waitFor(reloadTimeout, func() bool {
		last = last[:0]
		for _, addr := range ports {
			serial, err := presented(operatorIP, addr, cfg)
			if err != nil {
				serial = err.Error()
			}
			last = append(last, serial)
		}
		return last[0] == want && last[1] == want
	})
	require.Truef(t, ok, "the leader's ports still present %v, not the renewed %s, %v after the renewal", last, want, reloadTimeout)
	t.Logf("the renewed certificate was presented %v after the file was replaced", time.Since(renewedAt))

	assert.Equal(t, before, e.waitSettled(1, 2, 3), "the renewal moved no leader and no epoch")
	e.rec.stop()
	for _, s := range e.rec.snapshot() {
		if s.at.Before(sampledFrom) || !s.role.answered {
			continue // the start-up, or a srvr that timed out on a loaded machine
		}
		require.Truef(t, s.role.mode != "" && s.role.epoch == before.epoch,
			"server %d reported %+v at %v during the renewal (before: %+v)", s.sid, s.role, s.at, before)
	}

	follower := e.others(leader)[0]
	require.Equal(t, 0, e.stop(follower))
	e.start(follower)
	assert.Equal(t, before, e.waitSettled(1, 2, 3), "a restarted follower rejoins the renewed leader in its epoch")
}
