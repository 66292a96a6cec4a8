package zab

// MakeZxid builds a zxid from an epoch (high 32 bits) and a counter (low 32
// bits), as ZooKeeper's ZxidUtils.makeZxid.
func MakeZxid(epoch int64, counter int64) int64 {
	return epoch<<32 | counter&0xffffffff
}

// EpochOf returns a zxid's epoch: its high 32 bits, with an arithmetic
// shift (ZxidUtils.getEpochFromZxid), so -1 gives -1.
func EpochOf(zxid int64) int64 { return zxid >> 32 }

// CounterOf returns a zxid's low 32 bits (ZxidUtils.getCounterFromZxid).
func CounterOf(zxid int64) int64 { return zxid & 0xffffffff }
