package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Member is one server of a simulated ensemble.
type Member struct {
	// ID is the sid (myid). It must be positive.
	ID int64
	// Zxid is the last logged zxid; -1 models an untrusted empty database
	// (FastLeaderElection ignores every LOOKING vote then), which can only join by following an established leader.
	Zxid zk.Zxid
	// Epoch is the currentEpoch file's value.
	Epoch int64
	// Observer makes the member a non-voting observer.
	Observer bool
	// Group is the member's hierarchical group (Config.Hierarchical);
	// 0 leaves it out of every group.
	Group int64
	// Weight is the member's hierarchical weight; 0 means it can never be
	// elected and adds nothing to a quorum.
	Weight int64
}

// Config describes a simulated cluster.
type Config struct {
	// Members are the servers, in any order; sids must be distinct.
	Members []Member
	// Hierarchical selects hierarchical quorums built from the members'
	// Group and Weight; otherwise every voter weighs 1 (majority).
	Hierarchical bool
	// Timing is handed to every machine; zero fields are ZooKeeper's
	// defaults.
	Timing fle.Timing
	// DetectorTimeout is D, how long a decided node tolerates an absent
	// leader (or a leader its quorum of followers) before it goes back to
	// Looking. Zero means DefaultDetectorTimeout.
	DetectorTimeout time.Duration
	// DetectorGrace is G, how long a decided node tolerates a leader that
	// is reachable but not leading. Zero means DefaultDetectorGrace (or D
	// if that is shorter).
	DetectorGrace time.Duration
	// Policy decides delays, losses and duplicates; nil means every
	// message takes DefaultDelay.
	Policy Policy
	// Trace, if non-nil, records every event of the run.
	Trace *Trace
	// NewMachine builds a node's election machine; nil means fle.New.
	// Tests of the harness itself substitute a fake.
	NewMachine func(fle.Config) (Machine, error)
	// FastPaths turns on the machines' fast paths (fle.Config's
	// DisableFastPaths is set otherwise, for ZooKeeper-exact scripts) and
	// feeds them reachability: a node whose dial fails (the peer is down
	// or across a partition) or whose connection closes (a crash, a
	// partition) is told the peer is unreachable; a new connection tells
	// both ends the other is reachable.
	FastPaths bool
}

// DefaultDelay is the one-way delay of every message when Config.Policy is
// nil: well under ZooKeeper's 200 ms finalize window.
const DefaultDelay = 10 * time.Millisecond

// DefaultDetectorTimeout is ZooKeeper's syncLimit × tickTime (5 × 2 s):
// how long a follower waits on a silent leader before giving up.
const DefaultDetectorTimeout = 10 * time.Second

// DefaultDetectorGrace approximates a ZooKeeper learner's retries against
// a leader whose quorum port refuses it (five tries, 100 ms apart, plus
// slack).
const DefaultDetectorGrace = time.Second

// Machine is what the harness needs of an election state machine;
// *fle.Machine implements it.
type Machine interface {
	Start(lastLoggedZxid zk.Zxid, currentEpoch int64) fle.Output
	Step(n fle.Notification) fle.Output
	Tick(kind fle.TimerKind, seq uint64, haveDelivered bool) fle.Output
	State() zk.ServerState
	LogicalClock() int64
	Proposal() fle.Vote
	CurrentVote() fle.Vote
}

// reachabilityMachine is the optional part of Machine that the fast paths
// need (*fle.Machine has it; fakes need not).
type reachabilityMachine interface {
	PeerUnreachable(sid int64) fle.Output
	PeerReachable(sid int64)
}

// newFLEMachine adapts fle.New to Config.NewMachine.
func newFLEMachine(cfg fle.Config) (Machine, error) { return fle.New(cfg) }

// validate checks the members and returns them sorted by sid.
func (c *Config) validate() ([]Member, error) {
	if len(c.Members) == 0 {
		return nil, &ConfigError{Field: "Members", Value: 0, Reason: "no members"}
	}
	ms := slices.Clone(c.Members)
	slices.SortFunc(ms, func(a, b Member) int { return cmpInt64(a.ID, b.ID) })
	voters := 0
	for i, m := range ms {
		if m.ID <= 0 {
			return nil, &ConfigError{Field: "Members.ID", Value: m.ID, Reason: "must be positive"}
		}
		if i > 0 && ms[i-1].ID == m.ID {
			return nil, &ConfigError{Field: "Members.ID", Value: m.ID, Reason: "duplicate sid"}
		}
		if c.Hierarchical && m.Weight < 0 {
			return nil, &ConfigError{Field: fmt.Sprintf("Members[%d].Weight", m.ID), Value: m.Weight, Reason: "must not be negative"}
		}
		if !m.Observer {
			voters++
		}
	}
	if voters == 0 {
		return nil, &ConfigError{Field: "Members", Value: len(ms), Reason: "no voting member"}
	}
	if c.DetectorTimeout < 0 {
		return nil, &ConfigError{Field: "DetectorTimeout", Value: c.DetectorTimeout, Reason: "must not be negative"}
	}
	if c.DetectorGrace < 0 {
		return nil, &ConfigError{Field: "DetectorGrace", Value: c.DetectorGrace, Reason: "must not be negative"}
	}
	return ms, nil
}

// buildVerifier makes the ensemble's one quorum verifier: every member on
// loopback, majority or hierarchical.
func buildVerifier(ms []Member, hierarchical bool) (quorum.Verifier, error) {
	servers := make([]quorum.Server, 0, len(ms))
	for _, m := range ms {
		t := quorum.Participant
		if m.Observer {
			t = quorum.Observer
		}
		servers = append(servers, quorum.Server{
			ID: m.ID,
			Addrs: []quorum.AddrPair{{
				Host:         "127.0.0.1",
				QuorumPort:   portFor(m.ID, 0),
				ElectionPort: portFor(m.ID, 1),
			}},
			Type: t,
		})
	}
	if !hierarchical {
		return quorum.NewMajority(servers, 0)
	}
	// Members with Group 0 are in no group (and have no weight entry),
	// as observers usually are in a zoo.cfg with group.N lines.
	groups := quorum.Groups{}
	weights := quorum.Weights{}
	for _, m := range ms {
		if m.Group == 0 {
			continue
		}
		groups[m.Group] = append(groups[m.Group], m.ID)
		weights[m.ID] = m.Weight
	}
	return quorum.NewHierarchical(servers, groups, weights, 0)
}

// portFor gives each member distinct, valid (never dialled) port numbers.
func portFor(id int64, which int64) int {
	return int(20000 + (id%20000)*2 + which)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
