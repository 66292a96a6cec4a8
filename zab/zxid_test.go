package zab

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestZxid(t *testing.T) {
	assert.Equal(t, int64(0x100000002), MakeZxid(1, 2))
	assert.Equal(t, int64(0x1ffffffff), MakeZxid(1, -1), "the counter is masked to 32 bits")
	assert.Equal(t, int64(-1), EpochOf(-1), "arithmetic shift, as Java's >>")
	assert.Equal(t, int64(5), EpochOf(MakeZxid(5, 77)))
	assert.Equal(t, int64(77), CounterOf(MakeZxid(5, 77)))
	assert.Equal(t, int64(0xffffffff), CounterOf(-1))
}
