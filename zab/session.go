package zab

import (
	"fmt"
	"time"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// ConnID names one TCP connection on the quorum port. The driver picks the
// values (any but 0, unique for the session's lifetime) and passes the same
// value with every input about that connection.
type ConnID uint64

// EpochFile names one of the two epoch files.
type EpochFile int

const (
	// AcceptedEpochFile is acceptedEpoch.
	AcceptedEpochFile EpochFile = iota + 1
	// CurrentEpochFile is currentEpoch.
	CurrentEpochFile
)

// String returns the file's name.
func (f EpochFile) String() string {
	switch f {
	case AcceptedEpochFile:
		return AcceptedEpochName
	case CurrentEpochFile:
		return CurrentEpochName
	}
	return fmt.Sprintf("EpochFile(%d)", int(f))
}

// EpochWrite asks the driver to persist an epoch (EpochStorage.Apply).
type EpochWrite struct {
	// File is the file to write.
	File EpochFile
	// Epoch is the value.
	Epoch int64
}

// Send asks the driver to write a packet on a connection.
type Send struct {
	// Conn is the connection.
	Conn ConnID
	// Packet is the packet.
	Packet quorumwire.Packet
}

// Close asks the driver to close a connection. The session has already
// forgotten it: no Disconnected input is needed (one is ignored).
type Close struct {
	// Conn is the connection.
	Conn ConnID
	// Detail says why, for logs.
	Detail string
	// Warn marks a close an operator must act on (a misconfiguration);
	// log it loudly.
	Warn bool
	// Refused, when set, is the typed error of a learner claim the leader
	// refused (a *ClaimError). Anyone can reach the quorum port, so the
	// driver logs these rate-limited, by source address, not one line
	// each.
	Refused error
}

// Dial asks the driver to open a TCP connection to the leader's quorum
// address and to report Connected or DialFailed.
type Dial struct {
	// Attempt counts the dials of this session, from 1.
	Attempt int
	// Timeout bounds this attempt (tickTime × initLimit, or × the
	// connectToLearnerMasterLimit when set). The ConnectTimer bounds all
	// attempts together.
	Timeout time.Duration
}

// Established reports that the session reached Zab's broadcast phase: the
// server may now report its role. Epoch is the established epoch, which
// both epoch files now hold; use it as a fencing token.
type Established struct {
	// Epoch is the established epoch.
	Epoch int64
	// Leader is the leader's sid.
	Leader int64
	// Role is this server's role: Leading, Following or Observing.
	Role zk.ServerState
	// Config is the config text the leader sent in NEWLEADER (learners
	// only; nil for the leader, or when the leader sent none).
	Config []byte
	// ElectionOnly is set when the leader is a ZooKeeper server (its
	// LEADERINFO had no ZkfleMark). zkfle stores no data, so it must not
	// take ZooKeeper's sync or be counted in its quorum: the learner
	// closed the connection without acknowledging, persisted nothing, and
	// follows the leader in the election only. Epoch is the leader's
	// proposed epoch. The driver must watch the leader some other way
	// (the election port) and Stop the session when it is lost.
	ElectionOnly bool
}

// Ended reports that the session is over and the server goes back to
// LOOKING. Every connection of the session has been listed in Close and
// every pending timer cancelled, in the same Output.
type Ended struct {
	// Reason says why, as a value to test.
	Reason Reason
	// Detail is the ZooKeeper-style message, for logs.
	Detail string
	// Err is the typed error behind Reason when there is one (an
	// *EpochRangeError for ReasonEpochRange), else nil.
	Err error
}

// Output is everything a session asks the driver to do after one input.
// The driver carries it out in this order:
//
//  1. Persist, in order, each write durable before the next step. If one
//     fails, the driver skips the rest of this Output and calls
//     PersistFailed, whose Output it carries out instead. Nothing that
//     depends on an epoch is sent before the epoch is on disk: that is
//     what makes the established epoch a fencing token.
//  2. Dial.
//  3. Send, in order (packets to one connection keep their order).
//  4. Close.
//  5. Timers, in order.
//  6. Established, then Ended (report the role change).
type Output struct {
	// Persist lists epochs to write, in order.
	Persist []EpochWrite
	// Dial, when set, asks for a connection to the leader (learners only).
	Dial *Dial
	// Send lists packets to write.
	Send []Send
	// Close lists connections to close.
	Close []Close
	// Timers lists timer commands.
	Timers []Timer
	// Established is set when this input established the session.
	Established *Established
	// Ended is set when this input ended the session.
	Ended *Ended
}

// Empty reports whether the output asks for nothing.
func (o Output) Empty() bool {
	return len(o.Persist) == 0 && o.Dial == nil && len(o.Send) == 0 && len(o.Close) == 0 &&
		len(o.Timers) == 0 && o.Established == nil && o.Ended == nil
}

// Session is what both session machines answer, LeaderSession and
// LearnerSession: every input returns the Output to carry out, in the
// order Output documents. The actors drive it over sockets; nodesim drives
// it in virtual time.
type Session interface {
	Start() Output
	Connected(c ConnID) Output
	Received(c ConnID, p quorumwire.Packet) Output
	Disconnected(c ConnID) Output
	Tick(t Timer) Output
	PersistFailed(err error) Output
	Stop() Output
}

var (
	_ Session = (*LeaderSession)(nil)
	_ Session = (*LearnerSession)(nil)
)
