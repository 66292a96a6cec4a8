package zab

import (
	"fmt"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorum"
)

// LeaderConfig configures a LeaderSession.
type LeaderConfig struct {
	// ID is this server's sid; it must be a voter of Verifier.
	ID int64
	// Verifier is the committed quorum verifier. Required.
	Verifier quorum.Verifier
	// LastSeen is a newer, proposed verifier (a reconfig in progress), or
	// nil. When its version is greater than Verifier's, NEWLEADER acks and
	// the heartbeat check need a quorum in both, and NEWLEADER carries its
	// text.
	LastSeen quorum.Verifier
	// ReconfigEnabled is zoo.cfg's reconfigEnabled; it only changes the
	// version line of the config NEWLEADER carries (see NewLeaderConfig).
	ReconfigEnabled bool
	// AcceptedEpoch is this server's acceptedEpoch (EpochStorage.Accepted).
	AcceptedEpoch int64
	// CurrentEpoch is this server's currentEpoch (EpochStorage.Current).
	CurrentEpoch int64
	// LastZxid is this server's last zxid (0 for zkfle's empty database).
	// With CurrentEpoch it forms the summary a learner must not be ahead
	// of. -1 (an untrusted empty database) keeps the leader from counting
	// its own epoch ack, as in ZooKeeper.
	LastZxid int64
	// Timing holds the timeouts; zero fields take ZooKeeper's defaults.
	Timing Timing
	// ZooKeeperMode makes the session a ZooKeeper leader byte for byte:
	// its LEADERINFO carries no ZkfleMark and it serves learners whose
	// LearnerInfo has none. zkfle nodes leave it false (a ZooKeeper
	// server cannot sync from a leader with no data); tests that replay
	// ZooKeeper's own captures set it.
	ZooKeeperMode bool
}

// LeaderSession is the leader's side of Zab discovery, synchronisation and
// heartbeats (Leader.lead, Leader.getEpochToPropose, waitForEpochAck,
// waitForNewLeaderAck and one LearnerHandler per connection), as a pure
// state machine. Inputs are method calls; each returns the Output for the
// driver to carry out.
//
// Sequence: Start; then, for every accepted connection on the quorum port,
// Connected, Received for each packet read from it, and Disconnected when
// it breaks; Tick for every timer that fires; PersistFailed if an epoch
// write fails; Stop to leave the role. After Output.Ended, every input
// returns an empty Output (and Connected asks to close the connection).
//
// A LeaderSession is not safe for concurrent use.
type LeaderSession struct {
	id       int64
	verifier quorum.Verifier
	joint    quorum.JointConfig // with the last-seen verifier: members, NEWLEADER acks and ticks
	config   func(epoch int64) []byte
	timing   Timing
	zkMode   bool
	summary  quorumwire.EpochAck // the leader's own (currentEpoch, lastZxid)
	accepted int64

	phase      leaderPhase
	timedPhase leaderPhase // the phase the pending PhaseTimer is for
	epoch      int64       // the proposal; final once phase > phaseEpoch

	connecting map[int64]struct{} // Leader.connectingFollowers
	electing   map[int64]struct{} // Leader.electingFollowers
	acked      map[int64]struct{} // newLeaderProposal's ack set

	conns  map[ConnID]*learnerConn
	timers timerSet

	tick     int  // self.tick: counts ticks once established
	tickSkip bool // the heartbeat is twice a tick; every other one ticks
}

// leaderPhase is where Leader.lead is.
type leaderPhase int

const (
	phaseIdle        leaderPhase = iota // before Start
	phaseEpoch                          // getEpochToPropose
	phaseEpochAck                       // waitForEpochAck
	phaseNewLeader                      // waitForNewLeaderAck
	phaseEstablished                    // the ping loop
	phaseEnded
)

// NewLeaderSession validates cfg and returns a session waiting for Start.
// Errors wrap ErrBadConfig.
func NewLeaderSession(cfg LeaderConfig) (*LeaderSession, error) {
	if cfg.Verifier == nil {
		return nil, fmt.Errorf("%w: no quorum verifier", ErrBadConfig)
	}
	if !cfg.Verifier.IsVoter(cfg.ID) {
		return nil, fmt.Errorf("%w: leader %d is not a voting member", ErrBadConfig, cfg.ID)
	}
	if cfg.AcceptedEpoch < cfg.CurrentEpoch || cfg.CurrentEpoch < 0 {
		return nil, fmt.Errorf("%w: acceptedEpoch %d, currentEpoch %d", ErrBadConfig, cfg.AcceptedEpoch, cfg.CurrentEpoch)
	}
	// The leader proposes at least acceptedEpoch + 1: that must be an
	// epoch the learners can take.
	if err := CheckEpoch(cfg.AcceptedEpoch+1, "the epoch after this server's acceptedEpoch"); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	timing, err := cfg.Timing.withDefaults()
	if err != nil {
		return nil, err
	}
	l := &LeaderSession{
		id:         cfg.ID,
		verifier:   cfg.Verifier,
		joint:      quorum.NewJointConfig(cfg.Verifier, cfg.LastSeen),
		timing:     timing,
		zkMode:     cfg.ZooKeeperMode,
		summary:    quorumwire.EpochAck{CurrentEpoch: cfg.CurrentEpoch, LastZxid: cfg.LastZxid},
		accepted:   cfg.AcceptedEpoch,
		epoch:      -1,
		connecting: make(map[int64]struct{}),
		electing:   make(map[int64]struct{}),
		acked:      make(map[int64]struct{}),
		conns:      make(map[ConnID]*learnerConn),
	}
	l.config = func(epoch int64) []byte {
		return NewLeaderConfig(cfg.Verifier, cfg.LastSeen, cfg.ReconfigEnabled, epoch)
	}
	return l, nil
}

// Epoch returns the epoch the leader proposes: -1 before Start, then
// max(acceptedEpoch)+1 over the connected participants so far; final once
// a quorum has connected.
func (l *LeaderSession) Epoch() int64 { return l.epoch }

// IsEstablished reports whether the session reached the broadcast phase.
func (l *LeaderSession) IsEstablished() bool { return l.phase == phaseEstablished }

// IsEnded reports whether the session is over.
func (l *LeaderSession) IsEnded() bool { return l.phase == phaseEnded }

// Start begins discovery: the leader proposes an epoch for itself, as
// Leader.lead calls getEpochToPropose(myid, acceptedEpoch), and waits up to
// initLimit × tickTime for a quorum of participants to connect. A second
// Start is ignored.
func (l *LeaderSession) Start() Output {
	var out Output
	if l.phase != phaseIdle {
		return out
	}
	l.phase = phaseEpoch
	l.proposeEpoch(&out, l.id, l.accepted)
	l.settlePhaseTimer(&out)
	return out
}

// Connected registers an accepted learner connection. The learner must
// send FOLLOWERINFO or OBSERVERINFO within initLimit × tickTime.
func (l *LeaderSession) Connected(c ConnID) Output {
	var out Output
	if l.phase == phaseEnded || l.phase == phaseIdle {
		out.Close = append(out.Close, Close{Conn: c, Detail: "no leader session running"})
		return out
	}
	if _, dup := l.conns[c]; dup || c == 0 {
		return out
	}
	lc := &learnerConn{id: c, stage: stageAwaitInfo, deadline: l.tick + l.timing.InitLimit + l.timing.SyncLimit}
	l.conns[c] = lc
	l.timers.arm(&out, ReadTimer, c, l.timing.initTimeout())
	return out
}

// Received hands the session a packet read from connection c.
func (l *LeaderSession) Received(c ConnID, p quorumwire.Packet) Output {
	var out Output
	lc := l.conns[c]
	if lc == nil || l.phase == phaseEnded {
		return out
	}
	l.deliver(&out, lc, p)
	l.settlePhaseTimer(&out)
	return out
}

// Disconnected reports that connection c broke. The learner's votes already
// counted stay counted, as in ZooKeeper; a learner that is gone no longer
// counts at the heartbeat checks.
func (l *LeaderSession) Disconnected(c ConnID) Output {
	var out Output
	if l.conns[c] == nil || l.phase == phaseEnded {
		return out
	}
	l.forget(&out, c)
	return out
}

// Tick reports that a timer armed by this session fired; pass back the
// Timer value of the arming. Stale firings yield an empty Output.
func (l *LeaderSession) Tick(t Timer) Output {
	var out Output
	if l.phase == phaseEnded || !l.timers.fired(t) {
		return out
	}
	switch t.Kind {
	case PhaseTimer:
		l.phaseTimedOut(&out)
	case HeartbeatTimer:
		l.heartbeat(&out)
	case ReadTimer:
		if lc := l.conns[t.Conn]; lc != nil && lc.stage == stageAwaitInfo {
			// Silence before any claim: refused like a bad claim, so a
			// flood of idle sockets logs at the rate limiter's pace.
			l.refuse(&out, lc, &ClaimError{SID: -1, Err: ErrNoLearnerInfo})
		} else if lc != nil {
			l.closeConn(&out, t.Conn, fmt.Sprintf("read timed out after %v", l.readTimeout(lc)))
		}
	}
	l.settlePhaseTimer(&out)
	return out
}

// PersistFailed reports that an epoch write of the last Output failed. The
// leader steps down, as ZooKeeper's would on the IOException.
func (l *LeaderSession) PersistFailed(err error) Output {
	var out Output
	if l.phase != phaseEnded {
		l.end(&out, ReasonPersistFailed, fmt.Sprintf("could not persist epoch: %v", err))
	}
	return out
}

// Stop ends the session: every connection is closed and every timer
// cancelled.
func (l *LeaderSession) Stop() Output {
	var out Output
	if l.phase != phaseEnded {
		l.end(&out, ReasonStopped, "leader session stopped")
	}
	return out
}

// end closes everything and reports the end (Leader.shutdown).
func (l *LeaderSession) end(out *Output, reason Reason, detail string) {
	for _, c := range sortedConns(l.conns) {
		out.Close = append(out.Close, Close{Conn: c, Detail: "leader shutting down: " + detail})
	}
	clear(l.conns)
	l.timers.cancelAll(out)
	l.phase = phaseEnded
	out.Ended = &Ended{Reason: reason, Detail: detail}
}
