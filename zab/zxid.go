package zab

import (
	"errors"
	"fmt"

	"github.com/zkfle/zkfle/zk"
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

// CheckedZxid is zk.MakeZxid for an epoch that may be out of range: it
// refuses, with an *EpochRangeError, any epoch outside [0, MaxEpoch]
// instead of returning a zxid whose epoch reads back as something else.
// The sessions call zk.MakeZxid directly only with epochs they have
// bounded at their inputs.
func CheckedZxid(epoch int64, counter int64) (zk.Zxid, error) {
	if err := CheckEpoch(epoch, "zxid epoch"); err != nil {
		return 0, err
	}
	return zk.MakeZxid(epoch, counter), nil
}

// firstZxid is the zxid that opens epoch (counter 0) as a quorum packet
// carries it (jute's int64): the leader's PING, the learner's ACK, the
// NEWLEADER ACK a leader expects and the version line of NEWLEADER's
// config. The epoch is one a session has bounded at its input.
func firstZxid(epoch int64) int64 { return int64(zk.MakeZxid(epoch, 0)) }
