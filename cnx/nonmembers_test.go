package cnx

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The table itself: least recently used first, touch refreshes, prefer
// picks the oldest match and never the sid being inserted.
func TestSidTable(t *testing.T) {
	tb := newSidTable(3)
	for _, sid := range []int64{1, 2, 3} {
		assert.False(t, tb.touch(sid))
	}
	assert.False(t, tb.touch(1), "a known sid is refreshed, not added")
	assert.True(t, tb.touch(4))
	old, ok := tb.oldest(4, func(int64) bool { return false })
	require.True(t, ok)
	assert.EqualValues(t, 2, old, "least recently used, since 1 was touched")
	old, _ = tb.oldest(4, func(s int64) bool { return s == 1 })
	assert.EqualValues(t, 1, old, "the oldest preferred entry")
	tb.remove(2)
	assert.Equal(t, 3, tb.len())
	single := newSidTable(0)
	assert.True(t, single.touch(9))
	_, ok = single.oldest(9, func(int64) bool { return true })
	assert.False(t, ok, "the sid being inserted is never its own victim")
}
