package fle

import "github.com/zkfle/zkfle/zk"

// Equal is ZooKeeper's Vote.equals, quirks included (ZooKeeper's Vote.java), with v as
// the receiver Java calls it on (the tracker's target):
//
//   - if either vote was cast while LOOKING, the leader, zxid, round and
//     peer epoch must all match; the format version is ignored;
//   - otherwise (both FOLLOWING/LEADING/OBSERVING) zxid and round are
//     ignored on purpose (ZOOKEEPER-1805/1818: members of one ensemble can
//     report different ones for the same leader). If exactly one of the two
//     arrived in a versioned format (Version > 0) only the leader must
//     match, so mixed old/new ensembles still agree; else the leader and
//     the peer epoch must match.
func (v Vote) Equal(o Vote) bool {
	if v.State == zk.Looking || o.State == zk.Looking {
		return v.Leader == o.Leader && v.Zxid == o.Zxid &&
			v.ElectionEpoch == o.ElectionEpoch && v.PeerEpoch == o.PeerEpoch
	}
	if (v.Version > 0) != (o.Version > 0) {
		return v.Leader == o.Leader
	}
	return v.Leader == o.Leader && v.PeerEpoch == o.PeerEpoch
}
