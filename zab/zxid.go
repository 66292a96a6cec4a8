package zab

import (
	"errors"
	"fmt"
)

// MaxEpoch is the largest epoch zkfle proposes, accepts or adopts:
// 2^31 - 2. A zxid keeps its epoch in the high 32 bits of a signed 64-bit
// value, so an epoch of 2^31 or more makes every zxid of it negative (a
// ZooKeeper follower reads 2^31 back as -2147483648 and refuses it for
// good). 2^31 - 1 is still positive but has no successor: a leader that
// accepted it could never propose a higher epoch, and the ensemble would
// be stuck. Stopping one short keeps every adopted epoch followable.
const MaxEpoch int64 = 1<<31 - 2

// ErrEpochRange is wrapped by every refusal of an epoch outside
// [0, MaxEpoch]: in a learner's claim, a leader's proposal, or a zxid
// about to be built. Test with errors.Is; *EpochRangeError says which.
var ErrEpochRange = errors.New("zab: epoch out of range")

// EpochRangeError reports an epoch that cannot be represented: what it
// was and where it came from.
type EpochRangeError struct {
	// Epoch is the offending value.
	Epoch int64
	// What names it, for the message ("accepted epoch of server 7", ...).
	What string
}

// Error names the value, its source and the bound.
func (e *EpochRangeError) Error() string {
	return fmt.Sprintf("%v: %s is %d (%#x), outside [0, %d]", ErrEpochRange, e.What, e.Epoch, e.Epoch, MaxEpoch)
}

// Unwrap returns ErrEpochRange.
func (e *EpochRangeError) Unwrap() error { return ErrEpochRange }

// CheckEpoch returns nil when epoch is in [0, MaxEpoch], else an
// *EpochRangeError naming it as what.
func CheckEpoch(epoch int64, what string) error {
	if epoch < 0 || epoch > MaxEpoch {
		return &EpochRangeError{Epoch: epoch, What: what}
	}
	return nil
}

// MakeZxid builds a zxid from an epoch (high 32 bits) and a counter (low 32
// bits), as ZooKeeper's ZxidUtils.makeZxid. It does no checking, as Java's
// does not: epoch must be in [-1, MaxEpoch] (-1 gives a negative zxid on
// purpose, as in ZooKeeper). The sessions only call it with epochs they
// have bounded at their inputs; code building a zxid from anything else
// uses CheckedZxid.
func MakeZxid(epoch int64, counter int64) int64 {
	return epoch<<32 | counter&0xffffffff
}

// CheckedZxid is MakeZxid for an epoch that may be out of range: it
// refuses, with an *EpochRangeError, any epoch outside [0, MaxEpoch]
// instead of returning a zxid whose epoch reads back as something else.
func CheckedZxid(epoch int64, counter int64) (int64, error) {
	if err := CheckEpoch(epoch, "zxid epoch"); err != nil {
		return 0, err
	}
	return MakeZxid(epoch, counter), nil
}

// EpochOf returns a zxid's epoch: its high 32 bits, with an arithmetic
// shift (ZxidUtils.getEpochFromZxid), so -1 gives -1.
func EpochOf(zxid int64) int64 { return zxid >> 32 }

// CounterOf returns a zxid's low 32 bits (ZxidUtils.getCounterFromZxid).
func CounterOf(zxid int64) int64 { return zxid & 0xffffffff }
