package nodesim

import "math/rand/v2"

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
