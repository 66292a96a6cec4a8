package quorumwire

// makeZxid and epochOf are ZooKeeper's ZxidUtils.makeZxid and
// getEpochFromZxid, as several packets' zxid fields need them: the epoch
// in the high 32 bits, the counter in the low 32 (masked), and an
// arithmetic shift back, so -1 gives -1. They are unexported so that this
// package stays a leaf that imports nothing of zkfle; code that builds
// zxids from epochs it has not bounded uses zab.CheckedZxid.
func makeZxid(epoch, counter int64) int64 { return epoch<<32 | counter&0xffffffff }

func epochOf(zxid int64) int64 { return zxid >> 32 }
