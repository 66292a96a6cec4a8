package zab

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// MemoryEpochs records the writes that succeeded, in order (the
// persist-before-send tests read them).
func TestMemoryEpochsRecordsWrites(t *testing.T) {
	s, err := NewMemoryEpochs(0, 0)
	require.NoError(t, err)
	require.NoError(t, s.SetAccepted(1))
	require.ErrorIs(t, s.SetCurrent(2), ErrEpochOrder)
	require.NoError(t, s.SetCurrent(1))
	assert.Equal(t, []EpochWrite{{File: AcceptedEpochFile, Epoch: 1}, {File: CurrentEpochFile, Epoch: 1}}, s.Writes())
}

// A write the disk refused is a disk fault; a value the epoch rules
// refused before writing is not (the QuorumPeer's disk-fault rule takes
// only the first).
func TestIsDiskFault(t *testing.T) {
	assert.True(t, IsDiskFault(syscall.EROFS))
	assert.True(t, IsDiskFault(syscall.ENOSPC))
	assert.True(t, IsDiskFault(fmt.Errorf("write acceptedEpoch: %w", syscall.EIO)))
	assert.False(t, IsDiskFault(nil))
	assert.False(t, IsDiskFault(fmt.Errorf("set accepted 3: %w", ErrEpochRegression)))
	assert.False(t, IsDiskFault(errors.Join(ErrEpochOrder)))
}
