package zk

import "strconv"

// Zxid is a ZooKeeper transaction id: the epoch that wrote it in the high
// 32 bits, a counter within that epoch in the low 32 (ZxidUtils). -1 means
// "no data" (an empty or untrusted database) and has epoch -1.
type Zxid int64

// MakeZxid builds a zxid from an epoch and a counter, as ZooKeeper's
// ZxidUtils.makeZxid: the counter's bits above 32 are discarded, and the
// epoch is not checked (-1 gives a negative zxid on purpose, as in Java;
// an epoch of 2^31 or more gives one by accident). Code building a zxid
// from an epoch it has not bounded checks the epoch first
// (zab.CheckedZxid).
func MakeZxid(epoch, counter int64) Zxid {
	return Zxid(epoch<<32 | counter&0xffffffff)
}

// Epoch returns the zxid's high 32 bits with an arithmetic shift, as
// ZxidUtils.getEpochFromZxid, so -1 has epoch -1. A 28-byte notification
// carries no peer epoch; its receiver derives it this way.
func (z Zxid) Epoch() int64 { return int64(z) >> 32 }

// Counter returns the zxid's low 32 bits (ZxidUtils.getCounterFromZxid).
func (z Zxid) Counter() int64 { return int64(z) & 0xffffffff }

// String prints the zxid as ZooKeeper's logs do (Long.toHexString after
// "0x"): the 64 bits in lowercase hex, so -1 is 0xffffffffffffffff and a
// zxid always reads the same in logs, admin JSON, the probe and traces.
func (z Zxid) String() string { return "0x" + strconv.FormatUint(uint64(z), 16) }
