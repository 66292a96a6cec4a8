package zab

import (
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
