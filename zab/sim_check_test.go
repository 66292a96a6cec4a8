package zab

import (
	"fmt"
	"slices"

	"github.com/zkfle/zkfle/zk"
)

// simChecker holds the safety properties: one established leader per
// epoch, learners established only with that leader, established epochs
// on disk, and per server never going back. It also holds the quorum
// properties of discovery, judged from what the world saw on disks and
// wires, never from the sessions' own bookkeeping, and with a plain count
// of voters instead of the quorum.Verifier the sessions use:
//
//   - a leader's proposed epoch (the acceptedEpoch it writes) exceeds its
//     own acceptedEpoch and every acceptedEpoch a FOLLOWERINFO or
//     OBSERVERINFO brought it before (Zab phase 1: e' = max + 1);
//   - a leader makes its epoch current only once a quorum promised the
//     epoch to it: a learner promises epoch e to leader L when it raises
//     its acceptedEpoch to e in answer to L's LEADERINFO, and the promise
//     counts once its ACKEPOCH reached L. A learner that had accepted e
//     before (to L or to another leader) made no promise to L, which is
//     what its ACKEPOCH of -1 says;
//   - a leader establishes only once a quorum holds its epoch as their
//     currentEpoch on disk and acknowledged its NEWLEADER.
type simChecker struct {
	err         error
	leaders     map[int64]int64          // epoch -> the leader established in it
	deciders    map[int64]map[int64]bool // epoch -> leaders that decided it
	last        map[int64]int64          // server -> last established epoch
	learnersEst int

	voters     map[int64]bool              // the voting servers, from the ensemble
	heardInfo  map[int64]int64             // leader -> highest acceptedEpoch it heard of in its session
	proposed   map[int64]int64             // leader -> the epoch its session decided (-1: none yet)
	promised   map[promise]bool            // learner raised acceptedEpoch for leader's LEADERINFO
	fresh      map[[2]int64]map[int64]bool // (leader, epoch) -> learners whose promise reached it
	newLeaders map[[2]int64]map[int64]bool // (leader, epoch) -> learners that acked NEWLEADER with the epoch on disk
	freshAcks  int                         // ACKEPOCHs that carried a promise
	staleAcks  int                         // ACKEPOCHs from learners that had promised elsewhere (or before)
}

// promise is a learner's acceptance of an epoch proposed by a leader.
type promise struct{ learner, leader, epoch int64 }

func newSimChecker(voters []int64) *simChecker {
	c := &simChecker{
		leaders: map[int64]int64{}, deciders: map[int64]map[int64]bool{}, last: map[int64]int64{},
		voters: map[int64]bool{}, heardInfo: map[int64]int64{}, proposed: map[int64]int64{},
		promised: map[promise]bool{}, fresh: map[[2]int64]map[int64]bool{}, newLeaders: map[[2]int64]map[int64]bool{},
	}
	for _, v := range voters {
		c.voters[v] = true
	}
	return c
}

func (c *simChecker) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// isQuorum counts plainly: more than half of the voters are in set.
func (c *simChecker) isQuorum(set map[int64]bool) bool {
	in := 0
	for sid := range set {
		if c.voters[sid] {
			in++
		}
	}
	return 2*in > len(c.voters)
}

// leaderStarted: a leader session starts on a server whose acceptedEpoch
// is accepted.
func (c *simChecker) leaderStarted(leader, accepted int64) {
	c.heardInfo[leader] = accepted
	c.proposed[leader] = -1
}

// heardLearnerInfo: a FOLLOWERINFO or OBSERVERINFO carrying the learner's
// acceptedEpoch reached the leader.
func (c *simChecker) heardLearnerInfo(leader, accepted int64) {
	c.heardInfo[leader] = max(c.heardInfo[leader], accepted)
}

// decided records that a leader persisted an epoch it proposes, and
// checks that the epoch is above every acceptedEpoch the leader heard of.
func (c *simChecker) decided(leader, epoch int64) {
	if c.deciders[epoch] == nil {
		c.deciders[epoch] = map[int64]bool{}
	}
	c.deciders[epoch][leader] = true
	if heard := c.heardInfo[leader]; epoch <= heard {
		c.fail("s%d proposed epoch %d although it had heard of acceptedEpoch %d", leader, epoch, heard)
	}
	c.proposed[leader] = epoch
}

// promisedEpoch: learner raised its acceptedEpoch to epoch while following
// leader.
func (c *simChecker) promisedEpoch(learner, leader, epoch int64) {
	c.promised[promise{learner, leader, epoch}] = true
}

// heardAckEpoch: an ACKEPOCH from learner reached leader.
func (c *simChecker) heardAckEpoch(leader, learner int64) {
	e := c.proposed[leader]
	if e < 0 {
		return
	}
	if !c.promised[promise{learner, leader, e}] {
		c.staleAcks++
		return
	}
	c.freshAcks++
	addSid(c.fresh, [2]int64{leader, e}, learner)
}

// heardNewLeaderAck: an ACK of NEWLEADER for epoch from learner, whose
// currentEpoch on disk is current, reached leader.
func (c *simChecker) heardNewLeaderAck(leader, learner, epoch, current int64) {
	if e := c.proposed[leader]; e == epoch && current == epoch {
		addSid(c.newLeaders, [2]int64{leader, e}, learner)
	}
}

// epochAcked: the leader makes its epoch current; a quorum must have
// promised it.
func (c *simChecker) epochAcked(leader, epoch int64) {
	set := map[int64]bool{leader: true}
	for sid := range c.fresh[[2]int64{leader, epoch}] {
		set[sid] = true
	}
	if !c.isQuorum(set) {
		c.fail("s%d made epoch %d current with promises from only %v (voters %d)", leader, epoch, sortedSet(set), len(c.voters))
	}
}

func (c *simChecker) established(n *simNode, e Established) {
	if n.current != e.Epoch || n.accepted < e.Epoch {
		c.fail("s%d established epoch %d with currentEpoch %d, acceptedEpoch %d on disk", n.id, e.Epoch, n.current, n.accepted)
	}
	if last, ok := c.last[n.id]; ok && e.Epoch < last {
		c.fail("s%d established epoch %d after %d", n.id, e.Epoch, last)
	}
	c.last[n.id] = e.Epoch
	if e.Role == zk.Leading {
		if other, ok := c.leaders[e.Epoch]; ok && other != n.id {
			c.fail("TWO LEADERS in epoch %d: s%d and s%d", e.Epoch, other, n.id)
		}
		c.leaders[e.Epoch] = n.id
		set := map[int64]bool{n.id: true}
		for sid := range c.newLeaders[[2]int64{n.id, e.Epoch}] {
			set[sid] = true
		}
		if !c.isQuorum(set) {
			c.fail("s%d established epoch %d with NEWLEADER acks from only %v (voters %d)", n.id, e.Epoch, sortedSet(set), len(c.voters))
		}
		return
	}
	c.learnersEst++
	if leader, ok := c.leaders[e.Epoch]; !ok || leader != e.Leader {
		c.fail("s%d established as %s of s%d in epoch %d, whose established leader is s%d (known: %v)",
			n.id, e.Role, e.Leader, e.Epoch, leader, ok)
	}
}

// contended counts the epochs that more than one leader decided (and
// persisted as accepted): the cases where only the ACKEPOCH quorum keeps
// two leaders apart.
func (c *simChecker) contended() int {
	k := 0
	for _, ls := range c.deciders {
		if len(ls) > 1 {
			k++
		}
	}
	return k
}

func addSid(m map[[2]int64]map[int64]bool, k [2]int64, sid int64) {
	if m[k] == nil {
		m[k] = map[int64]bool{}
	}
	m[k][sid] = true
}

func sortedSet(s map[int64]bool) []int64 {
	out := make([]int64, 0, len(s))
	for sid := range s {
		out = append(out, sid)
	}
	slices.Sort(out)
	return out
}
