package actors

import (
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// Session back-off. A session that fails soon after it began (a follower
// whose epoch is behind the leader's, a leader that cannot persist its
// epoch, a leader that never gets its quorum) used to send the node
// straight back to LOOKING, where the same decision came back at once:
// about 5,300 follow -> refuse -> re-elect loops a second (issue 11). Now
// each such failure waits, with the election paused, for an exponentially
// growing, jittered delay before the next round; a session that stayed
// established for sessionStableAfter resets it, so the first election
// after a long-lived leader is lost starts at once, as before.
const (
	// sessionBackoffBase is the delay after the first failure: jittered
	// into [base/2, base].
	sessionBackoffBase = 100 * time.Millisecond
	// sessionBackoffCap bounds the delay.
	sessionBackoffCap = 3 * time.Second
	// sessionStableAfter is how long a session must have been
	// established for its end not to count as a failure.
	sessionStableAfter = 10 * time.Second
)

// sessionBackoff is the delay before looking again after failures
// consecutive failed sessions (>= 1): d = min(cap, base * 2^(failures-1)),
// jittered uniformly into [d/2, d] so that servers failing together do
// not retry in lockstep.
func sessionBackoff(failures int) time.Duration {
	d := sessionBackoffCap
	if failures < 16 {
		d = min(sessionBackoffCap, sessionBackoffBase<<(failures-1))
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// lookAgain is the back-off timer's firing.
type lookAgain struct{ gen uint64 }

// pauseElection stops the Election's machine while the QuorumPeer backs
// off: it neither votes nor answers with the decision it just abandoned.
// The next StartLooking starts it again.
type pauseElection struct{}

func (q *quorumPeer) now() time.Time {
	if q.rt.now != nil {
		return q.rt.now()
	}
	return time.Now()
}

// retryLater ends a session: at once if it had been established long
// enough, else after the back-off, with the election paused meanwhile.
// stable says whether the session counts as a success.
func (q *quorumPeer) retryLater(ctx actor.Context, stable bool) {
	if stable {
		q.st.failures = 0
		q.startLooking(ctx, messages.LookingReason_LEADER_LOST)
		return
	}
	q.st.failures++
	d := sessionBackoff(q.st.failures)
	q.rt.log.Info("session failed; waiting before looking again", "delay", d.String(), "failures", q.st.failures)
	ctx.Send(q.rt.dir.election.get(), &pauseElection{})
	q.st.retryGen++
	q.st.retryPending = true
	system, self, msg := ctx.ActorSystem(), ctx.Self(), &lookAgain{gen: q.st.retryGen}
	fire := func() { system.Root.Send(self, msg) }
	if q.rt.retryAfter != nil {
		q.rt.retryAfter(d, fire)
	} else {
		time.AfterFunc(d, fire)
	}
	q.armDiskProbe(ctx)
}

// lookAgainNow handles the back-off timer: a firing for the current
// back-off starts the next round.
func (q *quorumPeer) lookAgainNow(ctx actor.Context, m *lookAgain) {
	if !q.st.retryPending || m.gen != q.st.retryGen || q.st.session != nil {
		return
	}
	q.startLooking(ctx, messages.LookingReason_LEADER_LOST)
}
