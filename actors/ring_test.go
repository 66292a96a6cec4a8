package actors

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Mirrors ZooKeeper's TestCircularBlockingQueue: capacity 2, offering 1, 2,
// 3 leaves 2 and 3 and counts one drop.
func TestRingDropsOldest(t *testing.T) {
	r := newRing[int](2)
	assert.False(t, r.offer(1))
	assert.False(t, r.offer(2))
	assert.True(t, r.offer(3))
	assert.Equal(t, uint64(1), r.dropped)
	require.Equal(t, 2, r.len())
	v, ok := r.poll()
	require.True(t, ok)
	assert.Equal(t, 2, v)
	v, ok = r.poll()
	require.True(t, ok)
	assert.Equal(t, 3, v)
	_, ok = r.poll()
	assert.False(t, ok)
}

func TestRingWrapsAround(t *testing.T) {
	r := newRing[int](3)
	for i := 0; i < 10; i++ {
		r.offer(i)
		if i%2 == 1 {
			_, _ = r.poll()
		}
	}
	var got []int
	for r.len() > 0 {
		v, _ := r.poll()
		got = append(got, v)
	}
	assert.Equal(t, []int{8, 9}, got)
	assert.Equal(t, uint64(3), r.dropped)
}
