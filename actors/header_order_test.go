package actors

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
)

// A multi-address server's version-2 connection header lists its election
// addresses in ZooKeeper's order (its MultipleAddresses set's, see
// quorum.ElectionAddrOrder), not the server line's. The frame is computed
// from the golden layout (zk-reference golden-frames.md: protocol version,
// sid, length, "addr|addr").
func TestV2HeaderListsAddressesInJavasOrder(t *testing.T) {
	v, err := quorum.NewMajority([]quorum.Server{
		{ID: 1, Addrs: []quorum.AddrPair{
			{Host: "127.0.0.1", QuorumPort: 2888, ElectionPort: 3890},
			{Host: "127.0.0.2", QuorumPort: 2889, ElectionPort: 3888},
		}},
		{ID: 2, Addrs: []quorum.AddrPair{{Host: "127.0.0.3", QuorumPort: 2888, ElectionPort: 3888}}},
		{ID: 3, Addrs: []quorum.AddrPair{{Host: "127.0.0.4", QuorumPort: 2888, ElectionPort: 3888}}},
	}, 0)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.ID, cfg.Verifier, cfg.MultiAddress = 1, v, true
	c := &cnxManager{rt: &runtime{cfg: cfg}}

	got, err := c.header()
	require.NoError(t, err)
	addrs := "127.0.0.2:3888|127.0.0.1:3890"                       // Java: bucket 2 before bucket 3
	want := binary.BigEndian.AppendUint64(nil, 0xffffffffffff0001) // -65535: V2
	want = binary.BigEndian.AppendUint64(want, 1)
	want = binary.BigEndian.AppendUint32(want, uint32(len(addrs)))
	want = append(want, addrs...)
	assert.Equal(t, want, got)

	// Version 1 sends one address: Java's first (MultipleAddresses.getOne).
	c.rt.cfg.MultiAddress = false
	got, err = c.header()
	require.NoError(t, err)
	one := "127.0.0.2:3888"
	want = binary.BigEndian.AppendUint64(nil, 0xffffffffffff0000)
	want = binary.BigEndian.AppendUint64(want, 1)
	want = binary.BigEndian.AppendUint32(want, uint32(len(one)))
	want = append(want, one...)
	assert.Equal(t, want, got)
}
