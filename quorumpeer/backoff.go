package quorumpeer

import "time"

// Session back-off. A session that fails soon after it began (a follower
// whose epoch is behind the leader's, a leader that cannot persist its
// epoch, a leader that never gets its quorum) used to send the server
// straight back to LOOKING, where the same decision came back at once:
// about 5,300 follow -> refuse -> re-elect loops a second (issue 11). Each
// such failure waits, with the election paused, for an exponentially
// growing, jittered delay before the next round; a session that stayed
// established for StableAfter resets it, so the first election after a
// long-lived leader is lost starts at once, as in ZooKeeper.
//
// The cap must stay well below the leader's wait for its followers' epoch
// acknowledgements (initLimit × tickTime): a leader chosen after repeated
// failures waits that long for a quorum of ACKEPOCHs, and the voters it
// needs may be the very ones backing off (a heavy voter of a hierarchical
// group can be the only way to its group's majority). With a cap above
// the wait, the leader's attempt can expire before they come back, it
// fails, backs off in turn, and the ensemble can chase itself for ever
// (the whole-node simulator found such runs: six of 120,000, all
// hierarchical, with tickTime 100 ms and initLimit 10, a 1 s wait and a
// 3 s cap). So the driver sets Config.BackoffCap to at most half the
// wait: a jittered delay is at most the cap, which leaves the other half
// for the round and the connection.
const (
	// BackoffBase is the delay after the first failure, jittered into
	// [BackoffBase/2, BackoffBase].
	BackoffBase = 100 * time.Millisecond
	// BackoffCap bounds the delay when Config.BackoffCap is 0; the
	// actors lower it to initLimit × tickTime / 2 when that is shorter.
	BackoffCap = 3 * time.Second
	// StableAfter is how long a session must have been established for
	// its end not to count as a failure.
	StableAfter = 10 * time.Second
)

// BackoffCapFor is the Config.BackoffCap a driver sets for a server with
// initLimit and tickTime: min(BackoffCap, initLimit × tickTime / 2), half
// the leader's wait for epoch acknowledgements (see above). The actors and
// the whole-node simulator both use it.
func BackoffCapFor(initLimit int, tickTime time.Duration) time.Duration {
	return min(BackoffCap, time.Duration(initLimit)*tickTime/2)
}

// BackoffDelay is the delay before looking again after failures
// consecutive failed sessions (>= 1): d = min(limit, BackoffBase *
// 2^(failures-1)), jittered uniformly into [d/2, d] with rnd (which
// returns a uniform integer in [0, n)) so that servers failing together
// do not retry in lockstep. A limit of 0 or less means BackoffCap.
func BackoffDelay(failures int, limit time.Duration, rnd func(n int64) int64) time.Duration {
	if limit <= 0 {
		limit = BackoffCap
	}
	d := limit
	if failures < 16 {
		d = min(limit, BackoffBase<<(max(failures, 1)-1))
	}
	half := d / 2
	return half + time.Duration(rnd(int64(d-half)+1))
}

// BackoffFired is the back-off timer's firing: the one armed last starts
// the next round. A stale firing (an older arming, a round already
// started, or a session running) is ignored.
func (p *Peer) BackoffFired(gen uint64) Output {
	var out Output
	if !p.retryPending || gen != p.retryGen || p.decision != nil {
		return out
	}
	p.startLooking(&out, LeaderLost)
	return out
}

// retryLater looks again: at once after a stable session, else after the
// back-off, with the election paused meanwhile.
func (p *Peer) retryLater(out *Output, stable bool) {
	if stable {
		p.failures = 0
		p.startLooking(out, LeaderLost)
		return
	}
	p.failures++
	out.PauseElection = true
	p.retryGen++
	p.retryPending = true
	out.Backoff = &Backoff{Delay: BackoffDelay(p.failures, p.cfg.BackoffCap, p.cfg.Rand), Gen: p.retryGen, Failures: p.failures}
	p.armProbe(out)
}
