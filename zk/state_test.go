package zk

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestServerStateOrdinals pins the values to Java's ServerState ordinals:
// they are the election port's state codes, so a change here changes the
// wire.
func TestServerStateOrdinals(t *testing.T) {
	assert.Equal(t, int32(0), int32(Looking))
	assert.Equal(t, int32(1), int32(Following))
	assert.Equal(t, int32(2), int32(Leading))
	assert.Equal(t, int32(3), int32(Observing))
}

func TestServerStateString(t *testing.T) {
	for s, want := range map[ServerState]string{
		Looking: "LOOKING", Following: "FOLLOWING", Leading: "LEADING", Observing: "OBSERVING",
		4: "ServerState(4)", 7: "ServerState(7)", -1: "ServerState(-1)",
	} {
		assert.Equal(t, want, s.String())
	}
}

func TestServerStateValid(t *testing.T) {
	for _, s := range []ServerState{0, 1, 2, 3} {
		assert.True(t, s.Valid(), "%d", int32(s))
	}
	for _, s := range []ServerState{-1, 4, 7, 1 << 30} {
		assert.False(t, s.Valid(), "%d", int32(s))
	}
}
