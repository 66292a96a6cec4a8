package zab

import (
	"fmt"
	"time"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// LearnerConfig configures a LearnerSession.
type LearnerConfig struct {
	// ID is this server's sid.
	ID int64
	// LeaderID is the elected leader's sid (the driver dials its quorum
	// address).
	LeaderID int64
	// Observer makes this an observer: it registers with OBSERVERINFO and
	// reports Observing.
	Observer bool
	// AcceptedEpoch is this server's acceptedEpoch (EpochStorage.Accepted).
	AcceptedEpoch int64
	// CurrentEpoch is this server's currentEpoch (EpochStorage.Current).
	CurrentEpoch int64
	// LastZxid is this server's last logged zxid, sent in ACKEPOCH (0 for
	// zkfle's empty database).
	LastZxid int64
	// ConfigVersion is the version of this server's committed quorum
	// verifier, sent in LearnerInfo.
	ConfigVersion int64
	// Timing holds the timeouts; zero fields take ZooKeeper's defaults.
	Timing Timing
	// ZooKeeperMode makes the session a ZooKeeper learner byte for byte:
	// its LearnerInfo carries no ZkfleMark, and it takes a ZooKeeper
	// leader's epoch and sync instead of following it election-only.
	// zkfle nodes leave it false (they hold no data and must not count
	// in ZooKeeper's quorum); tests that replay ZooKeeper's own captures
	// set it.
	ZooKeeperMode bool
}

// LearnerSession is a follower's or observer's side of Zab discovery,
// synchronisation and heartbeats (Learner.connectToLeader,
// registerWithLeader, syncWithLeader, and Follower/Observer's packet loop),
// as a pure state machine.
//
// Sequence: Start, which asks for a Dial; DialFailed or Connected with the
// connection's id; Received for each packet read from it; Disconnected
// when it breaks; Tick for every timer that fires; PersistFailed if an
// epoch write fails; Stop to leave the role. After Output.Ended every input
// returns an empty Output (and Connected asks to close the connection: a
// dial that completes after the session ended is not wanted).
//
// A LearnerSession is not safe for concurrent use.
type LearnerSession struct {
	cfg      LearnerConfig
	timing   Timing
	stage    learnerStage
	attempts int
	// waited is the sum of the pauses between dials so far (the retry
	// back-off gives up only once it reaches Timing.retryBudget).
	waited   time.Duration
	conn     ConnID
	accepted int64
	current  int64
	newEpoch int64 // the epoch of LEADERINFO, once taken
	// newLeaderSeen: NEWLEADER arrived (Zab 1.0); the current epoch is
	// set and the read timeout is syncLimit × tickTime from then on.
	newLeaderSeen bool
	config        []byte
	timers        timerSet
}

type learnerStage int

const (
	learnerIdle        learnerStage = iota // before Start
	learnerDialing                         // a Dial is out
	learnerRetryWait                       // between dials
	learnerRegistering                     // FOLLOWERINFO sent, reading LEADERINFO
	learnerAwaitSync                       // ACKEPOCH sent, reading DIFF/TRUNC/SNAP
	learnerSyncing                         // reading until UPTODATE
	learnerEstablished                     // following: answering pings
	learnerEnded
)

// NewLearnerSession validates cfg and returns a session waiting for Start.
// Errors wrap ErrBadConfig.
func NewLearnerSession(cfg LearnerConfig) (*LearnerSession, error) {
	if cfg.ID == cfg.LeaderID {
		return nil, fmt.Errorf("%w: learner %d cannot follow itself", ErrBadConfig, cfg.ID)
	}
	if cfg.AcceptedEpoch < cfg.CurrentEpoch || cfg.CurrentEpoch < 0 {
		return nil, fmt.Errorf("%w: acceptedEpoch %d, currentEpoch %d", ErrBadConfig, cfg.AcceptedEpoch, cfg.CurrentEpoch)
	}
	// FOLLOWERINFO carries makeZxid(acceptedEpoch, 0): an epoch past the
	// bound would go out as a different, negative one.
	if err := CheckEpoch(cfg.AcceptedEpoch, "this server's acceptedEpoch"); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	timing, err := cfg.Timing.withDefaults()
	if err != nil {
		return nil, err
	}
	return &LearnerSession{
		cfg:      cfg,
		timing:   timing,
		accepted: cfg.AcceptedEpoch,
		current:  cfg.CurrentEpoch,
		newEpoch: -1,
	}, nil
}

// Role is Following, or Observing for an observer.
func (s *LearnerSession) Role() zk.ServerState {
	if s.cfg.Observer {
		return zk.Observing
	}
	return zk.Following
}

// Epoch returns the epoch the leader proposed, or -1 before LEADERINFO.
func (s *LearnerSession) Epoch() int64 { return s.newEpoch }

// IsEstablished reports whether the session reached the broadcast phase.
func (s *LearnerSession) IsEstablished() bool { return s.stage == learnerEstablished }

// IsEnded reports whether the session is over.
func (s *LearnerSession) IsEnded() bool { return s.stage == learnerEnded }

// Start asks for the first dial and starts the connect budget (tickTime ×
// initLimit, or × connectToLearnerMasterLimit). A second Start is ignored.
func (s *LearnerSession) Start() Output {
	var out Output
	if s.stage != learnerIdle {
		return out
	}
	s.timers.arm(&out, ConnectTimer, 0, s.timing.connectTimeout())
	s.dial(&out)
	return out
}

func (s *LearnerSession) dial(out *Output) {
	s.attempts++
	s.stage = learnerDialing
	out.Dial = &Dial{Attempt: s.attempts, Timeout: s.timing.connectTimeout()}
}

// DialFailed reports that the last Dial failed. The learner tries again
// after ConnectRetryDelay, up to ConnectTries dials, then gives up. With
// Timing.ConnectRetryFirst the pauses start small and double, and the
// learner gives up only once it has made ConnectTries dials and waited
// ZooKeeper's (ConnectTries-1) × ConnectRetryDelay in all (the connect
// budget still ends it first if that is shorter).
func (s *LearnerSession) DialFailed(err error) Output {
	var out Output
	if s.stage != learnerDialing {
		return out
	}
	if s.attempts >= s.timing.ConnectTries && s.waited >= s.timing.retryBudget() {
		s.end(&out, ReasonConnectFailed, fmt.Sprintf("failed to connect to leader %d after %d tries: %v", s.cfg.LeaderID, s.attempts, err))
		return out
	}
	pause := s.timing.retryPause(s.attempts)
	s.waited += pause
	s.stage = learnerRetryWait
	s.timers.arm(&out, RetryTimer, 0, pause)
	return out
}

// Connected reports that the last Dial succeeded with connection c. The
// learner registers: FOLLOWERINFO (or OBSERVERINFO) with its acceptedEpoch.
func (s *LearnerSession) Connected(c ConnID) Output {
	var out Output
	if s.stage != learnerDialing || c == 0 {
		out.Close = append(out.Close, Close{Conn: c, Detail: "no dial outstanding"})
		return out
	}
	s.conn = c
	s.timers.cancel(&out, ConnectTimer, 0)
	s.stage = learnerRegistering
	info := quorumwire.NewZkfleLearnerInfoPacket
	if s.cfg.ZooKeeperMode {
		info = quorumwire.NewLearnerInfoPacket
	}
	out.Send = append(out.Send, Send{Conn: c, Packet: info(s.cfg.Observer, s.cfg.ID, s.accepted, s.cfg.ConfigVersion)})
	s.armRead(&out)
	return out
}

// Received hands the session a packet read from the leader connection.
func (s *LearnerSession) Received(c ConnID, p quorumwire.Packet) Output {
	var out Output
	if c != s.conn || s.conn == 0 || s.stage == learnerEnded {
		return out
	}
	s.handle(&out, p)
	if s.stage != learnerEnded && s.conn != 0 {
		// Any packet read restarts the socket timeout, unless the packet
		// ended the connection (an election-only hang-up).
		s.armRead(&out)
	}
	return out
}

// Disconnected reports that the leader connection broke: the learner goes
// back to LOOKING at once.
func (s *LearnerSession) Disconnected(c ConnID) Output {
	var out Output
	if c != s.conn || s.conn == 0 || s.stage == learnerEnded {
		return out
	}
	s.conn = 0 // already closed: nothing to ask the driver to close
	s.end(&out, ReasonLeaderClosed, fmt.Sprintf("connection to leader %d closed", s.cfg.LeaderID))
	return out
}

// Tick reports that a timer armed by this session fired; pass back the
// Timer value of the arming. Stale firings yield an empty Output.
func (s *LearnerSession) Tick(t Timer) Output {
	var out Output
	if s.stage == learnerEnded || !s.timers.fired(t) {
		return out
	}
	switch t.Kind {
	case RetryTimer:
		if s.stage == learnerRetryWait {
			s.dial(&out)
		}
	case ConnectTimer:
		s.end(&out, ReasonConnectFailed, fmt.Sprintf("connectToLeader exceeded on retries (%v)", s.timing.connectTimeout()))
	case ReadTimer:
		s.end(&out, ReasonLeaderSilent, fmt.Sprintf("nothing from leader %d for %v", s.cfg.LeaderID, s.readTimeout()))
	}
	return out
}

// PersistFailed reports that an epoch write of the last Output failed.
func (s *LearnerSession) PersistFailed(err error) Output {
	var out Output
	if s.stage != learnerEnded {
		s.end(&out, ReasonPersistFailed, fmt.Sprintf("could not persist epoch: %v", err))
	}
	return out
}

// Stop ends the session: the connection is closed, timers cancelled.
func (s *LearnerSession) Stop() Output {
	var out Output
	if s.stage != learnerEnded {
		s.end(&out, ReasonStopped, "learner session stopped")
	}
	return out
}

// endErr is end with the typed error behind the reason.
func (s *LearnerSession) endErr(out *Output, reason Reason, err error) {
	s.end(out, reason, err.Error())
	out.Ended.Err = err
}

// end closes the connection (if any), cancels timers and reports the end.
func (s *LearnerSession) end(out *Output, reason Reason, detail string) {
	if s.conn != 0 {
		out.Close = append(out.Close, Close{Conn: s.conn, Detail: detail})
		s.conn = 0
	}
	s.timers.cancelAll(out)
	s.stage = learnerEnded
	out.Ended = &Ended{Reason: reason, Detail: detail}
}

// readTimeout is the socket timeout: initLimit × tickTime from connect,
// syncLimit × tickTime once NEWLEADER arrived (ZOOKEEPER-3911) and after.
func (s *LearnerSession) readTimeout() time.Duration {
	if s.newLeaderSeen || s.stage == learnerEstablished {
		return s.timing.syncTimeout()
	}
	return s.timing.initTimeout()
}

func (s *LearnerSession) armRead(out *Output) {
	s.timers.arm(out, ReadTimer, s.conn, s.readTimeout())
}
