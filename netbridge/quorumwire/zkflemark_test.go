package quorumwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mark rides after the fields ZooKeeper reads, so a Java peer decodes
// the same values from a marked packet as from its own; zkfle tells the
// two apart.
func TestZkfleMarkIsInvisibleToZooKeeperFields(t *testing.T) {
	plain, marked := NewLeaderInfoPacket(7), NewZkfleLeaderInfoPacket(7)
	assert.Len(t, marked.Data, len(plain.Data)+len(ZkfleMark))
	p, err := DecodeLeaderInfo(plain)
	require.NoError(t, err)
	m, err := DecodeLeaderInfo(marked)
	require.NoError(t, err)
	assert.False(t, p.Zkfle)
	assert.True(t, m.Zkfle)
	assert.Equal(t, p.Epoch, m.Epoch)
	assert.Equal(t, p.ProtocolVersion, m.ProtocolVersion)

	li, err := DecodeLearnerInfo(NewLearnerInfoPacket(false, 3, 2, 0x100000000).Data)
	require.NoError(t, err)
	lm, err := DecodeLearnerInfo(NewZkfleLearnerInfoPacket(false, 3, 2, 0x100000000).Data)
	require.NoError(t, err)
	assert.False(t, li.Zkfle)
	assert.True(t, lm.Zkfle)
	lm.Zkfle = false
	assert.Equal(t, li, lm)

	// Trailing bytes that are not the mark are ignored, as Java does.
	other := NewLeaderInfoPacket(7)
	other.Data = append(other.Data, "zkfla\x00\x00\x01"...)
	o, err := DecodeLeaderInfo(other)
	require.NoError(t, err)
	assert.False(t, o.Zkfle)
}
