package fle

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
	if v.State == Looking || o.State == Looking {
		return v.Leader == o.Leader && v.Zxid == o.Zxid &&
			v.ElectionEpoch == o.ElectionEpoch && v.PeerEpoch == o.PeerEpoch
	}
	if (v.Version > 0) != (o.Version > 0) {
		return v.Leader == o.Leader
	}
	return v.Leader == o.Leader && v.PeerEpoch == o.PeerEpoch
}

// ZxidEpoch returns the epoch half of a zxid: its high 32 bits, with an
// arithmetic shift so that the "no zxid" value -1 yields epoch -1, as
// ZooKeeper's ZxidUtils.getEpochFromZxid does. A 28-byte notification
// carries no peer epoch and the receiver derives it this way.
func ZxidEpoch(zxid int64) int64 { return zxid >> 32 }

// MakeZxid builds a zxid from an epoch (high 32 bits) and a counter (low 32
// bits; higher counter bits are discarded), as ZxidUtils.makeZxid does.
func MakeZxid(epoch, counter int64) int64 {
	return epoch<<32 | counter&0xffffffff
}
