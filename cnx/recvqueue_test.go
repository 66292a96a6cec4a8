package cnx

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Mirrors ZooKeeper's TestCircularBlockingQueue: capacity 2, offering 1, 2,
// 3 leaves 2 and 3 and counts one drop.
func TestRecvQueueDropsOldest(t *testing.T) {
	r := NewRecvQueue[int](2)
	assert.False(t, r.Offer(1))
	assert.False(t, r.Offer(2))
	assert.True(t, r.Offer(3))
	assert.Equal(t, uint64(1), r.Dropped())
	require.Equal(t, 2, r.Len())
	assert.Equal(t, 2, r.Cap())
	v, ok := r.Poll()
	require.True(t, ok)
	assert.Equal(t, 2, v, "the oldest (1) was dropped, not the newest")
	v, ok = r.Poll()
	require.True(t, ok)
	assert.Equal(t, 3, v)
	_, ok = r.Poll()
	assert.False(t, ok)
}

func TestRecvQueueWrapsAround(t *testing.T) {
	r := NewRecvQueue[int](3)
	for i := 0; i < 10; i++ {
		r.Offer(i)
		if i%2 == 1 {
			_, _ = r.Poll()
		}
	}
	var got []int
	for r.Len() > 0 {
		v, _ := r.Poll()
		got = append(got, v)
	}
	assert.Equal(t, []int{8, 9}, got)
	assert.Equal(t, uint64(3), r.Dropped())
}

// Below capacity nothing is dropped and order is kept; a non-positive
// capacity still holds one element.
func TestRecvQueueKeepsOrderBelowCapacity(t *testing.T) {
	r := NewRecvQueue[string](100)
	for _, s := range []string{"a", "b", "c"} {
		assert.False(t, r.Offer(s))
	}
	for _, want := range []string{"a", "b", "c"} {
		v, ok := r.Poll()
		require.True(t, ok)
		assert.Equal(t, want, v)
	}
	assert.Zero(t, r.Dropped())
	one := NewRecvQueue[int](0)
	assert.Equal(t, 1, one.Cap())
}
