package zab

import (
	"fmt"
	"slices"
	"time"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// maxBacklog bounds the packets a learner may send while its handler is
// not reading (blocked waiting for a quorum). Java leaves them in the
// socket buffer until it reads again; we keep them in order, up to this
// many, and close the connection beyond (a correct learner sends nothing
// then).
const maxBacklog = 16

// learnerConn is one learner connection: the state of its LearnerHandler.
type learnerConn struct {
	id       ConnID
	stage    connStage
	sid      int64 // from LearnerInfo; meaningful once known
	known    bool
	protocol int32 // the learner's protocol version
	infoZxid int64 // FOLLOWERINFO's zxid: makeZxid(acceptedEpoch, 0)
	lastZxid int64 // the learner's last zxid, from ACKEPOCH
	pinging  bool  // NEWLEADER queued: the handler's sender runs, so it is pinged
	deadline int   // tickOfNextAckDeadline
	backlog  []quorumwire.Packet
}

// connStage is where a LearnerHandler is: reading a packet, or blocked on
// the leader (then it reads nothing and no read timeout runs).
type connStage int

const (
	stageAwaitInfo         connStage = iota // reading FOLLOWERINFO/OBSERVERINFO
	stageAwaitEpoch                         // blocked in getEpochToPropose
	stageAwaitAckEpoch                      // reading ACKEPOCH
	stageAwaitEpochQuorum                   // blocked in waitForEpochAck
	stageAwaitNewLeaderAck                  // reading the ACK of NEWLEADER
	stageAwaitStartup                       // blocked in waitForNewLeaderAck / waitForStartup
	stageRunning                            // the main loop, after UPTODATE
)

func (s connStage) reading() bool {
	return s == stageAwaitInfo || s == stageAwaitAckEpoch || s == stageAwaitNewLeaderAck || s == stageRunning
}

// deliver handles a packet now if the handler is reading, else queues it.
func (l *LeaderSession) deliver(out *Output, lc *learnerConn, p quorumwire.Packet) {
	if !lc.stage.reading() {
		if len(lc.backlog) >= maxBacklog {
			l.closeConn(out, lc.id, fmt.Sprintf("more than %d packets while waiting for the quorum", maxBacklog))
			return
		}
		lc.backlog = append(lc.backlog, p)
		return
	}
	l.handle(out, lc, p)
	l.syncReadTimer(out, lc)
}

// handle dispatches a packet by the handler's stage.
func (l *LeaderSession) handle(out *Output, lc *learnerConn, p quorumwire.Packet) {
	switch lc.stage {
	case stageAwaitInfo:
		l.learnerInfo(out, lc, p)
	case stageAwaitAckEpoch:
		l.ackEpochPacket(out, lc, p)
	case stageAwaitNewLeaderAck:
		l.newLeaderAckPacket(out, lc, p)
	case stageRunning:
		l.running(lc, p)
	}
}

// resume is called when a blocked handler may read again: it handles the
// packets that waited, then sets the read timer for the stage it is in.
func (l *LeaderSession) resume(out *Output, lc *learnerConn) {
	for lc.stage.reading() && len(lc.backlog) > 0 && l.conns[lc.id] == lc {
		p := lc.backlog[0]
		lc.backlog = lc.backlog[1:]
		l.handle(out, lc, p)
	}
	l.syncReadTimer(out, lc)
}

// syncReadTimer arms the connection's read timeout while its handler reads
// and cancels it while the handler is blocked.
func (l *LeaderSession) syncReadTimer(out *Output, lc *learnerConn) {
	if l.conns[lc.id] != lc {
		return
	}
	if lc.stage.reading() {
		l.timers.arm(out, ReadTimer, lc.id, l.readTimeout(lc))
	} else {
		l.timers.cancel(out, ReadTimer, lc.id)
	}
}

// readTimeout is the handler's socket timeout: initLimit × tickTime from
// accept, syncLimit × tickTime once NEWLEADER is acknowledged.
func (l *LeaderSession) readTimeout(lc *learnerConn) time.Duration {
	if lc.stage == stageRunning {
		return l.timing.syncTimeout()
	}
	return l.timing.initTimeout()
}

// running is LearnerHandler's main loop: any packet proves the learner
// alive. zkfle serves no clients and proposes nothing, so ACKs, PING
// touches, REQUESTs and REVALIDATEs carry nothing to act on.
func (l *LeaderSession) running(lc *learnerConn, _ quorumwire.Packet) {
	lc.deadline = l.tick + l.timing.SyncLimit
}

// closeConn closes a connection the session gives up on (the handler's
// exception path).
func (l *LeaderSession) closeConn(out *Output, c ConnID, detail string) {
	out.Close = append(out.Close, Close{Conn: c, Detail: detail})
	l.forget(out, c)
}

// refuse closes a connection whose claim the leader will not count,
// carrying the typed error for the driver's rate-limited log.
func (l *LeaderSession) refuse(out *Output, lc *learnerConn, err *ClaimError) {
	out.Close = append(out.Close, Close{Conn: lc.id, Detail: err.Error(), Refused: err})
	l.forget(out, lc.id)
}

// forget drops a connection and its timer.
func (l *LeaderSession) forget(out *Output, c ConnID) {
	delete(l.conns, c)
	l.timers.cancel(out, ReadTimer, c)
}

// connsIn lists, in ConnID order, the connections in a stage.
func (l *LeaderSession) connsIn(stage connStage) []*learnerConn {
	var list []*learnerConn
	for _, c := range sortedConns(l.conns) {
		if lc := l.conns[c]; lc.stage == stage {
			list = append(list, lc)
		}
	}
	return list
}

// sortedConns returns the keys in order, so that outputs are deterministic.
func sortedConns(m map[ConnID]*learnerConn) []ConnID {
	keys := make([]ConnID, 0, len(m))
	for c := range m {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	return keys
}
