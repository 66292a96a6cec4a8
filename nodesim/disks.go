package nodesim

import (
	"math/rand/v2"

	"github.com/zkfle/zkfle/quorum"
)

// disk is one node's state when a run begins.
type disk struct {
	accepted, current, zxid int64
}

// seededDisk draws a plausible disk around base: currentEpoch base or the
// one before (a node that missed the last epoch), acceptedEpoch equal to
// it or one more (a promise whose NEWLEADER never came), and a last zxid
// in the current epoch with a small counter, so that nodes tie on epoch
// and zxid often enough for the sid to decide, and differ often enough
// for the zxid to.
func seededDisk(r *rand.Rand, base int64) disk {
	cur := base
	if base > 0 && r.IntN(3) == 0 {
		cur--
	}
	acc := cur
	if r.IntN(3) == 0 {
		acc++
	}
	return disk{accepted: acc, current: cur, zxid: cur<<32 | int64(r.IntN(4))}
}

// seededGroups splits the voters into groups (three, or two for three
// voters) round-robin by sid, with weights 1 to 3 and, one run in four
// with five or more voters, one voter of weight 0 (never elected, never
// counted: ZOOKEEPER-491), so that quorums are lopsided: a heavy server
// can make its group's majority alone.
func seededGroups(r *rand.Rand, voters []int64) (quorum.Groups, quorum.Weights) {
	ng := 3
	if len(voters) <= 3 {
		ng = 2
	}
	groups, weights := quorum.Groups{}, quorum.Weights{}
	for i, sid := range voters {
		gid := int64(i%ng + 1)
		groups[gid] = append(groups[gid], sid)
		weights[sid] = int64(1 + r.IntN(3))
	}
	if len(voters) >= 5 && r.IntN(4) == 0 {
		weights[voters[r.IntN(len(voters))]] = 0
	}
	return groups, weights
}
