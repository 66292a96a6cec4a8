package fle

import (
	"maps"
	"time"

	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Machine is one server's leader election: FastLeaderElection's election
// loop and its WorkerReceiver, plus the QuorumPeer state they read and write
// (peer state, current vote). Inputs are Start, Step, Tick, Stop and
// UpdateElectionVote; each returns (or, for the last two, causes) no I/O,
// only values.
//
// A Machine is not safe for concurrent use: one driver owns it.
type Machine struct {
	id        int64
	committed quorum.Verifier
	// joint is committed with the last-seen verifier: who votes, and the
	// verifiers whose quorums count (quorum.JointConfig).
	joint    quorum.JointConfig
	timing   Timing
	observer bool
	// nonCandidate is set by SetCandidate(false): the server votes but
	// does not stand for leader (candidacy.go).
	nonCandidate bool

	// running is true between Start and Stop: Java's messenger threads and
	// election loop exist only then.
	running bool
	state   zk.ServerState

	logicalClock int64
	// reportedRound is, per voter, the newest round of its LOOKING we
	// have reported in NewerRoundLookingSids: each voter's loss of the
	// leader is news once per round (see Output.NewerRoundLookingSids).
	reportedRound map[int64]int64
	// proposal is getVote(): leader, zxid and peer epoch being proposed.
	proposal Vote
	// lastLoggedZxid and currentEpoch are what Start was given; the
	// initial vote is rebuilt from them whenever a newer round begins.
	lastLoggedZxid zk.Zxid
	currentEpoch   int64

	// currentVote is QuorumPeer.currentVote: the initial vote until the
	// first decision, then the last decided one.
	currentVote Vote
	decided     bool

	recvset map[int64]Vote
	// recvIndex indexes recvset by vote for the LOOKING quorum check
	// (tracker.go); record and clearVotes keep the two in step.
	recvIndex     *ackIndex
	outofelection map[int64]Vote
	notTimeout    time.Duration

	// finalizing is true while the finalize window is open.
	finalizing bool

	// fast enables the fast paths (fastpath.go); fastVoters are the
	// voters whose votes they must account for, and unreachable the
	// voters known unreachable during this election.
	fast        bool
	fastVoters  []int64
	unreachable map[int64]struct{}
	// linkDown holds the voters whose link the driver reported down
	// (PeerUnreachable) since the last decision, with nothing showing them
	// reachable since (PeerReachable, a notification), each with the
	// LinkDownTimer period of its last report: a fact about the
	// connection that outlives one election, so the next Start counts it
	// unreachable again while it is recent (fastpath.go's
	// startReachability; LinkDownTimer ends it one to two
	// Timing.LinkDownMemory after its last report).
	linkDown map[int64]uint64
	// linkDownPeriod counts LinkDownTimer firings.
	linkDownPeriod uint64
	// answered holds the voters this round's worse votes were answered
	// to (fastpath_answer.go); cleared with the round's votes.
	answered map[int64]struct{}
	// notLooking holds the voters that sent us a FOLLOWING or LEADING
	// notification since Start (fastpath_answer.go).
	notLooking map[int64]struct{}

	// voterList is voters(), computed once.
	voterList []int64
	// leadingTracker is the tracker that made us LEADING (Java's
	// leadingVoteSet), consulted when LOOKING voters ping the leader.
	leadingTracker *quorum.AckSet

	timers timerState
}

// New validates cfg and returns a Machine in state Looking that has not
// started yet: call Start to begin the first round. Zero Timing fields take
// ZooKeeper's defaults. Errors are *ConfigError values wrapping
// ErrInvalidConfig.
func New(cfg Config) (*Machine, error) {
	if cfg.Verifier == nil {
		return nil, &ConfigError{Field: "Verifier", Value: nil, Reason: "required"}
	}
	if cfg.ID < 0 {
		return nil, &ConfigError{Field: "ID", Value: cfg.ID, Reason: "must not be negative"}
	}
	joint := quorum.NewJointConfig(cfg.Verifier, cfg.LastSeen)
	self, ok := joint.Server(cfg.ID)
	if !ok {
		return nil, &ConfigError{Field: "ID", Value: cfg.ID, Reason: "not a member of Verifier or LastSeen"}
	}
	timing, err := resolveTiming(cfg.Timing)
	if err != nil {
		return nil, err
	}
	m := &Machine{
		id:        cfg.ID,
		committed: cfg.Verifier,
		joint:     joint,
		timing:    timing,
		observer:  self.Type == quorum.Observer,
		state:     zk.Looking,
		// Java's FastLeaderElection starts with proposal -1/-1 and an
		// unset (zero) epoch.
		proposal:      Vote{Leader: -1, Zxid: -1, ElectionEpoch: -1, State: zk.Looking},
		recvset:       map[int64]Vote{},
		recvIndex:     newAckIndex(joint),
		outofelection: map[int64]Vote{},
		fast:          !cfg.DisableFastPaths,
		unreachable:   map[int64]struct{}{},
		linkDown:      map[int64]uint64{},
		answered:      map[int64]struct{}{},
		notLooking:    map[int64]struct{}{},
	}
	m.voterList = joint.VotingMembers()
	m.fastVoters = m.mustHearFrom()
	return m, nil
}

// resolveTiming fills zero fields with defaults and rejects negative ones
// and a minimum interval above the maximum.
func resolveTiming(t Timing) (Timing, error) {
	def := DefaultTiming()
	fields := []struct {
		name string
		val  *time.Duration
		def  time.Duration
	}{
		{"Timing.FinalizeWait", &t.FinalizeWait, def.FinalizeWait},
		{"Timing.MinNotificationInterval", &t.MinNotificationInterval, def.MinNotificationInterval},
		{"Timing.MaxNotificationInterval", &t.MaxNotificationInterval, def.MaxNotificationInterval},
		{"Timing.LinkDownMemory", &t.LinkDownMemory, def.LinkDownMemory},
	}
	for _, f := range fields {
		if *f.val < 0 {
			return Timing{}, &ConfigError{Field: f.name, Value: *f.val, Reason: "must be positive"}
		}
		if *f.val == 0 {
			*f.val = f.def
		}
	}
	if t.MinNotificationInterval > t.MaxNotificationInterval {
		return Timing{}, &ConfigError{
			Field:  "Timing.MinNotificationInterval",
			Value:  t.MinNotificationInterval,
			Reason: "greater than Timing.MaxNotificationInterval " + t.MaxNotificationInterval.String(),
		}
	}
	return t, nil
}

// Stop is FastLeaderElection.shutdown: the election stops, the proposal's
// leader and zxid become -1 (ZooKeeper's tests check this), the leading vote
// set is forgotten and every pending timer is invalidated (a later Tick for
// it is ignored). Notifications are dropped until the next Start, which
// begins a new round on the same logical clock; to model Java's fresh
// FastLeaderElection object (clock 0), make a new Machine instead.
func (m *Machine) Stop() {
	m.running = false
	m.proposal.Leader = -1
	m.proposal.Zxid = -1
	m.leadingTracker = nil
	m.finalizing = false
	m.timers.forget()
}

// UpdateElectionVote is QuorumPeer.updateElectionVote: once the leader is
// established (after UPTODATE, or when the leader activates), the current
// vote takes the new epoch, so servers joining later see one consistent
// peer epoch for this leader (ZOOKEEPER-1732/1818).
func (m *Machine) UpdateElectionVote(peerEpoch int64) {
	m.currentVote.PeerEpoch = peerEpoch
}

// ID returns this server's sid.
func (m *Machine) ID() int64 { return m.id }

// IsObserver reports whether this server is an observer: it never votes,
// proposes Long.MIN_VALUE and decides Observing.
func (m *Machine) IsObserver() bool { return m.observer }

// State returns the server's state: Looking until a decision, then
// Leading, Following or Observing until the next Start.
func (m *Machine) State() zk.ServerState { return m.state }

// LogicalClock returns the current round.
func (m *Machine) LogicalClock() int64 { return m.logicalClock }

// Proposal returns the vote being proposed (Java's getVote()): leader,
// zxid and peer epoch, with ElectionEpoch -1 and state Looking as Java's
// three-argument Vote constructor leaves them.
func (m *Machine) Proposal() Vote { return m.proposal }

// CurrentVote returns QuorumPeer.getCurrentVote(): the last decided vote
// (its State is Looking, as in Java, where lookForLeader returns a
// four-argument Vote), or before any decision the initial vote (myid, last
// logged zxid, current epoch, ElectionEpoch -1). It is what replies to
// non-voters and to LOOKING peers carry.
func (m *Machine) CurrentVote() Vote { return m.currentVote }

// ReceivedVotes returns a copy of recvset: the votes of the current round
// (and of the round the last decision was made in, until the next Start).
func (m *Machine) ReceivedVotes() map[int64]Vote { return maps.Clone(m.recvset) }

// OutOfElection returns a copy of outofelection: FOLLOWING/LEADING votes
// from any round, used to join an established ensemble.
func (m *Machine) OutOfElection() map[int64]Vote { return maps.Clone(m.outofelection) }

// validVoter is true for a voting member of the committed or the last-seen
// configuration (QuorumPeer.getCurrentAndNextConfigVoters). Unlike the
// quorum checks, any non-nil last-seen verifier counts, whatever its
// version (quorum.JointConfig.IsVoter).
func (m *Machine) validVoter(sid int64) bool { return m.joint.IsVoter(sid) }

// voters returns the valid voters in ascending order, each once. The
// verifiers never change, so the list is computed once (New); callers must
// not modify it.
func (m *Machine) voters() []int64 { return m.voterList }
