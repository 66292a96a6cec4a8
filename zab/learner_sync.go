package zab

import (
	"fmt"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// handle dispatches a packet from the leader by stage.
func (s *LearnerSession) handle(out *Output, p quorumwire.Packet) {
	switch s.stage {
	case learnerRegistering:
		s.leaderInfo(out, p)
	case learnerAwaitSync:
		s.syncStart(out, p)
	case learnerSyncing:
		s.syncing(out, p)
	case learnerEstablished:
		if p.Type == quorumwire.Ping {
			out.Send = append(out.Send, Send{Conn: s.conn, Packet: quorumwire.PingReply(p)})
		}
		// zkfle replicates nothing: PROPOSAL, COMMIT, INFORM, SYNC and
		// REVALIDATE have nothing to act on.
	}
}

// leaderInfo is the rest of Learner.registerWithLeader: accept the new
// epoch (on disk before the ACKEPOCH that promises it), or answer -1 if it
// is already accepted, or refuse an epoch below the accepted one.
func (s *LearnerSession) leaderInfo(out *Output, p quorumwire.Packet) {
	if p.Type != quorumwire.LeaderInfo {
		detail := "First packet should have been NEWLEADER, got " + p.String()
		if p.Type == quorumwire.NewLeader {
			detail = "leader speaks the pre-Zab-1.0 protocol (NEWLEADER before LEADERINFO), which zkfle does not"
		}
		s.end(out, ReasonProtocol, detail)
		return
	}
	prop, err := quorumwire.DecodeLeaderInfo(p)
	if err != nil {
		s.end(out, ReasonProtocol, err.Error())
		return
	}
	// An epoch we could not represent is never adopted, not even as an
	// election-only follower's view of a ZooKeeper leader.
	if err := CheckEpoch(prop.Epoch, fmt.Sprintf("the epoch leader %d proposed in LEADERINFO", s.cfg.LeaderID)); err != nil {
		s.endErr(out, ReasonEpochRange, err)
		return
	}
	if !prop.Zkfle && !s.cfg.ZooKeeperMode {
		s.followElectionOnly(out, prop)
		return
	}
	ackEpoch := s.current
	switch {
	case prop.Epoch > s.accepted:
		s.accepted = prop.Epoch
		out.Persist = append(out.Persist, EpochWrite{File: AcceptedEpochFile, Epoch: prop.Epoch})
	case prop.Epoch == s.accepted:
		// Acked this epoch before (to this or another leader): say so with
		// -1, which the leader does not count, but still report our zxid.
		ackEpoch = quorumwire.AlreadyAccepted
	default:
		s.end(out, ReasonEpochBehind, fmt.Sprintf("Leaders epoch, %d is less than accepted epoch, %d", prop.Epoch, s.accepted))
		return
	}
	s.newEpoch = prop.Epoch
	out.Send = append(out.Send, Send{Conn: s.conn, Packet: quorumwire.NewAckEpochPacket(ackEpoch, s.cfg.LastZxid)})
	s.stage = learnerAwaitSync
}

// syncStart takes the first packet of syncWithLeader. With no data, DIFF
// and TRUNC are both empty syncs; a SNAP would be followed by a snapshot
// zkfle cannot take.
func (s *LearnerSession) syncStart(out *Output, p quorumwire.Packet) {
	switch p.Type {
	case quorumwire.Diff, quorumwire.Trunc:
		s.stage = learnerSyncing
	case quorumwire.Snap:
		s.end(out, ReasonProtocol, "leader sent SNAP; zkfle keeps no data and cannot load a snapshot")
	default:
		s.end(out, ReasonProtocol, "Got unexpected packet from leader: "+p.String())
	}
}

// syncing reads until UPTODATE. NEWLEADER makes the epoch current (on disk
// before its ACK); UPTODATE establishes the session and is acknowledged.
func (s *LearnerSession) syncing(out *Output, p quorumwire.Packet) {
	ack := quorumwire.NewAckPacket(firstZxid(s.newEpoch))
	switch p.Type {
	case quorumwire.NewLeader:
		if err := CheckEpoch(zk.Zxid(p.Zxid).Epoch(), fmt.Sprintf("the epoch of leader %d's NEWLEADER", s.cfg.LeaderID)); err != nil {
			s.endErr(out, ReasonEpochRange, err)
			return
		}
		if len(p.Data) > 0 {
			s.config = p.Data
		}
		s.setCurrent(out)
		s.newLeaderSeen = true
		out.Send = append(out.Send, Send{Conn: s.conn, Packet: ack})
	case quorumwire.UpToDate:
		if !s.newLeaderSeen {
			s.setCurrent(out) // a pre-1.0 leader: the epoch becomes current here
		}
		out.Send = append(out.Send, Send{Conn: s.conn, Packet: ack})
		s.stage = learnerEstablished
		out.Established = &Established{Epoch: s.newEpoch, Leader: s.cfg.LeaderID, Role: s.Role(), Config: s.config}
	}
	// Anything else (PROPOSAL, COMMIT, INFORM, and PING, which Java does
	// not answer while syncing) carries no data for zkfle.
}

func (s *LearnerSession) setCurrent(out *Output) {
	if s.current == s.newEpoch {
		return
	}
	s.current = s.newEpoch
	out.Persist = append(out.Persist, EpochWrite{File: CurrentEpochFile, Epoch: s.newEpoch})
}

// followElectionOnly handles a ZooKeeper leader: acknowledge nothing (an
// ACKEPOCH or ACK would count toward ZooKeeper's quorum, and its sync
// would put data into a server that keeps none), persist nothing (our
// votes keep our own, lower epoch, so a ZooKeeper server always outranks
// us), hang up, and report the role as election-only.
func (s *LearnerSession) followElectionOnly(out *Output, prop quorumwire.EpochProposal) {
	out.Close = append(out.Close, Close{Conn: s.conn,
		Detail: fmt.Sprintf("leader %d is an Apache ZooKeeper server: following it in the election only", s.cfg.LeaderID)})
	s.conn = 0
	s.timers.cancelAll(out)
	s.newEpoch = prop.Epoch
	s.stage = learnerEstablished
	out.Established = &Established{Epoch: prop.Epoch, Leader: s.cfg.LeaderID, Role: s.Role(), ElectionOnly: true}
}
