package freeport

import (
	"math/rand/v2"
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ports are below the ephemeral range, bindable, and never repeated.
func TestPortsAreDistinctBindableAndBelowTheEphemeralRange(t *testing.T) {
	ports, err := Ports(200)
	require.NoError(t, err)
	seen := map[int]bool{}
	hi := ephemeralLow()
	for _, p := range ports {
		assert.False(t, seen[p], "port %d handed out twice", p)
		seen[p] = true
		assert.GreaterOrEqual(t, p, low)
		assert.Less(t, p, hi, "port %d is in the ephemeral range, where a dial may take it", p)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(ports[0]))
	require.NoError(t, err)
	require.NoError(t, ln.Close())
}

// A port something listens on is never handed out, even when it is drawn.
func TestPortSkipsPortsInUse(t *testing.T) {
	busy := MustPort()
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(busy))
	require.NoError(t, err)
	defer ln.Close()
	mu.Lock()
	delete(given, busy) // only the bind check may keep it out now
	draws := 0
	intN = func(int) int {
		draws++
		if draws == 1 {
			return busy - low
		}
		return busy - low + 1
	}
	mu.Unlock()
	defer func() { mu.Lock(); intN = rand.IntN; mu.Unlock() }()
	p := MustPort()
	assert.NotEqual(t, busy, p, "a port in use was handed out")
	assert.Equal(t, 2, draws)
}
