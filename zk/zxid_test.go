package zk

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMakeZxid(t *testing.T) {
	assert.Equal(t, Zxid(0x100000002), MakeZxid(1, 2))
	assert.Equal(t, Zxid(0x7ffffffe00000000), MakeZxid(1<<31-2, 0))
	// The counter's high bits are discarded, as Java's makeZxid does.
	assert.Equal(t, Zxid(0x300000005), MakeZxid(3, 0x700000005))
	assert.Equal(t, Zxid(0x3ffffffff), MakeZxid(3, -1))
	// Epoch -1 gives a negative zxid: Java's "no data" marker is -1.
	assert.Equal(t, Zxid(-1), MakeZxid(-1, 0xffffffff))
}

func TestZxidEpochAndCounter(t *testing.T) {
	for _, c := range []struct {
		z              Zxid
		epoch, counter int64
	}{
		{0, 0, 0},
		{0x100000002, 1, 2},
		{0x15ffffffff, 0x15, 0xffffffff},
		{0x7ffffffeffffffff, 1<<31 - 2, 0xffffffff},
		// -1 has epoch -1 (arithmetic shift), as getEpochFromZxid.
		{-1, -1, 0xffffffff},
		// Long.MIN_VALUE, an observer's vote.
		{-1 << 63, -1 << 31, 0},
	} {
		assert.Equal(t, c.epoch, c.z.Epoch(), "epoch of %d", int64(c.z))
		assert.Equal(t, c.counter, c.z.Counter(), "counter of %d", int64(c.z))
	}
}

// TestZxidString pins ZooKeeper's hex: Long.toHexString after "0x", so a
// negative zxid prints its two's complement, never "-0x1".
func TestZxidString(t *testing.T) {
	for z, want := range map[Zxid]string{
		0:           "0x0",
		0x100000002: "0x100000002",
		-1:          "0xffffffffffffffff",
		-1 << 63:    "0x8000000000000000",
	} {
		assert.Equal(t, want, z.String())
		assert.Equal(t, want, fmt.Sprint(z), "fmt goes through String")
	}
}

// TestZxidJSONIsANumber: a Zxid field marshals as its number (no
// MarshalJSON), so JSON documents that carry one beside its hex keep
// their shape.
func TestZxidJSONIsANumber(t *testing.T) {
	b, err := json.Marshal(struct{ Z Zxid }{-1})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Z":-1}`, string(b))
}
