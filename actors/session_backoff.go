package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/quorumpeer"
)

// Session back-off: a session that ends before it had been established
// for quorumpeer.StableAfter delays the next round by a jittered,
// exponentially growing delay with the election paused (the rule is
// quorumpeer's: BackoffDelay, Peer.BackoffFired). This file is the
// actor's side: the timer, the pause message and the clock.

// lookAgain is the back-off timer's firing.
type lookAgain struct{ gen uint64 }

// pauseElection stops the Election's machine while the QuorumPeer backs
// off: it neither votes nor answers with the decision it just abandoned.
// The next StartLooking starts it again.
type pauseElection struct{}

// now is the core's clock: time since the state's origin (rt.now, a test
// seam, replaces time.Now).
func (q *quorumPeer) now() time.Duration {
	t := time.Now()
	if q.rt.now != nil {
		t = q.rt.now()
	}
	return t.Sub(q.st.origin)
}

// armBackoff arms the back-off timer (rt.retryAfter, a test seam,
// replaces time.AfterFunc). Its firing reaches whichever incarnation runs
// then; the core ignores it unless it is the latest arming.
func (q *quorumPeer) armBackoff(ctx actor.Context, b *quorumpeer.Backoff) {
	system, self, msg := ctx.ActorSystem(), ctx.Self(), &lookAgain{gen: b.Gen}
	fire := func() { system.Root.Send(self, msg) }
	if q.rt.retryAfter != nil {
		q.rt.retryAfter(b.Delay, fire)
	} else {
		time.AfterFunc(b.Delay, fire)
	}
}
