package messages_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zk"
)

// TestServerStateConversion: the enum and zk's type agree name for name,
// and a code neither defines survives both directions unchanged.
func TestServerStateConversion(t *testing.T) {
	pairs := map[messages.ServerState]zk.ServerState{
		messages.ServerState_LOOKING:   zk.Looking,
		messages.ServerState_FOLLOWING: zk.Following,
		messages.ServerState_LEADING:   zk.Leading,
		messages.ServerState_OBSERVING: zk.Observing,
		messages.ServerState(9):        zk.ServerState(9),
	}
	for m, z := range pairs {
		assert.Equal(t, z, m.Zk())
		assert.Equal(t, m, messages.ServerStateOf(z))
	}
	for v, name := range messages.ServerState_name {
		assert.Equal(t, name, messages.ServerState(v).Zk().String(), "the enum's names are ZooKeeper's")
	}
}
