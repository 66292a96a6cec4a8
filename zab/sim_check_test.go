package zab

import "fmt"

// simChecker holds the safety properties: one established leader per
// epoch, learners established only with that leader, established epochs
// on disk, and per server never going back.
type simChecker struct {
	err         error
	leaders     map[int64]int64          // epoch -> the leader established in it
	deciders    map[int64]map[int64]bool // epoch -> leaders that decided it
	last        map[int64]int64          // server -> last established epoch
	learnersEst int
}

func newSimChecker() *simChecker {
	return &simChecker{leaders: map[int64]int64{}, deciders: map[int64]map[int64]bool{}, last: map[int64]int64{}}
}

func (c *simChecker) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// decided records that a leader persisted an epoch it proposes.
func (c *simChecker) decided(leader, epoch int64) {
	if c.deciders[epoch] == nil {
		c.deciders[epoch] = map[int64]bool{}
	}
	c.deciders[epoch][leader] = true
}

func (c *simChecker) established(n *simNode, e Established) {
	if n.current != e.Epoch || n.accepted < e.Epoch {
		c.fail("s%d established epoch %d with currentEpoch %d, acceptedEpoch %d on disk", n.id, e.Epoch, n.current, n.accepted)
	}
	if last, ok := c.last[n.id]; ok && e.Epoch < last {
		c.fail("s%d established epoch %d after %d", n.id, e.Epoch, last)
	}
	c.last[n.id] = e.Epoch
	if e.Role == Leading {
		if other, ok := c.leaders[e.Epoch]; ok && other != n.id {
			c.fail("TWO LEADERS in epoch %d: s%d and s%d", e.Epoch, other, n.id)
		}
		c.leaders[e.Epoch] = n.id
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
