package quorumpeer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// epochs is a currentEpoch the test sets.
type epochs struct{ current int64 }

func (e *epochs) Current() int64 { return e.current }

// maxJitter makes BackoffDelay return its upper bound d; minJitter its
// lower bound d/2.
func maxJitter(n int64) int64 { return n - 1 }
func minJitter(int64) int64   { return 0 }

// newPeer returns a started Peer (sid 1, currentEpoch 4, no LastZxid,
// jitter at its maximum) and its store.
func newPeer(t *testing.T, opts ...func(*Config)) (*Peer, *epochs) {
	t.Helper()
	e := &epochs{current: 4}
	cfg := Config{ID: 1, Epochs: e, Rand: maxJitter}
	for _, o := range opts {
		o(&cfg)
	}
	p, err := New(cfg)
	require.NoError(t, err)
	out := p.Start(0)
	require.NotNil(t, out.StartLooking, "the first start looks")
	return p, e
}

// lead is a decision for server 1 to lead in round 3 at epoch 4.
var lead = fle.Decision{Leader: 1, Zxid: 4 << 32, ElectionEpoch: 3, PeerEpoch: 4, State: zk.Leading}

// follow is a decision for server 1 to follow server 2.
var follow = fle.Decision{Leader: 2, Zxid: 7, ElectionEpoch: 5, PeerEpoch: 4, State: zk.Following}

// establish decides d and establishes its session in epoch at now.
func establish(t *testing.T, p *Peer, d fle.Decision, epoch int64, electionOnly bool, now time.Duration) Output {
	t.Helper()
	require.NotNil(t, p.Decided(d).StartSession)
	out := p.Established(d.State, d.Leader, epoch, electionOnly, now)
	require.NotNil(t, out.Report, "established")
	return out
}
