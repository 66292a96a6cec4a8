package quorumpeer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// Epochs is what the loop reads of the server's epoch storage
// (zab.EpochStorage and zab.MemoryEpochs have it).
type Epochs interface {
	// Current is the currentEpoch file's value.
	Current() int64
}

// Config configures a Peer.
type Config struct {
	// ID is this server's sid.
	ID int64
	// Epochs is read whenever a round starts or a role ends.
	Epochs Epochs
	// LastZxid, if set, returns the replica's last zxid (the embedding
	// program's data): rounds start from it and a role reports the
	// decided leader's zxid. If nil, zkfle stores no transactions: the
	// last zxid is the first zxid of the current epoch, and a role
	// reports the first zxid of its epoch (as a ZooKeeper leader that has
	// just proposed NEWLEADER).
	LastZxid func() int64
	// Rand returns a uniform integer in [0, n) (n > 0); it jitters the
	// back-off. Nil: math/rand/v2's Int64N. A simulator passes its seeded
	// source.
	Rand func(n int64) int64
	// ProbeInterval is how often a disk-faulted server probes; 0 means
	// DefaultProbeInterval.
	ProbeInterval time.Duration
	// BackoffCap bounds the session back-off; 0 means BackoffCap (3 s).
	// Keep it at most half of the leader's epoch wait (initLimit ×
	// tickTime): backoff.go says why.
	BackoffCap time.Duration
}

// DefaultProbeInterval is how often a disk-faulted server probes its
// epoch directory.
const DefaultProbeInterval = 2 * time.Second

// ErrInvalidConfig is wrapped by New's errors.
var ErrInvalidConfig = errors.New("quorumpeer: invalid config")

// Peer is one server's QuorumPeer loop. It is not safe for concurrent
// use: one driver feeds it one input at a time.
type Peer struct {
	cfg Config

	// started is set once the first round has been started: a restarted
	// driver must not start another in the middle of one.
	started bool
	// state is the reported state: Looking until a session is
	// established, then the role, until the session ends.
	state zk.ServerState
	// vote is the vote we stand by: the initial one until the first
	// establishment, then the established one.
	vote fle.Vote
	// decision is the decision whose session runs (nil while looking).
	decision *fle.Decision
	// established, epoch, electionOnly and establishedAt describe the
	// running session once it is established.
	established   bool
	epoch         int64
	electionOnly  bool
	establishedAt time.Duration
	// failures counts sessions in a row that ended before they had been
	// established for StableAfter.
	failures int
	// retryPending is set while a back-off delays the next round;
	// retryGen identifies its timer.
	retryPending bool
	retryGen     uint64
	// statusAsked is set while the restart check's status is awaited; a
	// decision in between makes the answer stale.
	statusAsked bool
	// faulted is set while the epoch directory cannot be written: the
	// server does not stand for leader.
	faulted bool
	// probeArmed is set while a probe timer is pending; probeGen
	// identifies it.
	probeArmed bool
	probeGen   uint64
}

// New returns a Peer that has not started: call Start.
func New(cfg Config) (*Peer, error) {
	if cfg.Epochs == nil {
		return nil, fmt.Errorf("%w: Epochs is nil", ErrInvalidConfig)
	}
	if cfg.ProbeInterval < 0 {
		return nil, fmt.Errorf("%w: ProbeInterval %v is negative", ErrInvalidConfig, cfg.ProbeInterval)
	}
	if cfg.BackoffCap < 0 {
		return nil, fmt.Errorf("%w: BackoffCap %v is negative", ErrInvalidConfig, cfg.BackoffCap)
	}
	if cfg.BackoffCap == 0 {
		cfg.BackoffCap = BackoffCap
	}
	if cfg.ProbeInterval == 0 {
		cfg.ProbeInterval = DefaultProbeInterval
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Int64N
	}
	return &Peer{cfg: cfg, state: zk.Looking}, nil
}

// State is the reported state: Looking until a session is established.
func (p *Peer) State() zk.ServerState { return p.state }

// Vote is the vote the server stands by: its initial vote until a session
// is established, then the established leader with its epoch.
func (p *Peer) Vote() fle.Vote { return p.vote }

// Session returns the decision whose session runs, if any.
func (p *Peer) Session() (fle.Decision, bool) {
	if p.decision == nil {
		return fle.Decision{}, false
	}
	return *p.decision, true
}

// EstablishedEpoch returns the running session's established epoch, if it
// is established, and whether it follows a ZooKeeper leader election-only.
func (p *Peer) EstablishedEpoch() (epoch int64, electionOnly, ok bool) {
	return p.epoch, p.electionOnly, p.established
}

// Failures is the number of failed sessions in a row.
func (p *Peer) Failures() int { return p.failures }

// BackingOff reports whether a back-off delays the next round.
func (p *Peer) BackingOff() bool { return p.retryPending }

// Candidate reports whether the server stands for leader (false while
// disk-faulted).
func (p *Peer) Candidate() bool { return !p.faulted }

// lastZxid is the replica's last zxid at epoch.
func (p *Peer) lastZxid(epoch int64) zk.Zxid {
	if p.cfg.LastZxid != nil {
		return zk.Zxid(p.cfg.LastZxid())
	}
	return zk.MakeZxid(epoch, 0)
}

// establishedZxid is the zxid a role established in epoch reports.
func (p *Peer) establishedZxid(d *fle.Decision, epoch int64) zk.Zxid {
	if p.cfg.LastZxid != nil {
		return d.Zxid
	}
	return zk.MakeZxid(epoch, 0)
}
