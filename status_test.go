package zkfle

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zk"
)

// TestStatusOf: the published change becomes the public Status; no
// change, a LOOKING one and one with a state code Java does not define
// are all plain Looking (no leader, no epoch).
func TestStatusOf(t *testing.T) {
	looking := Status{ID: 4, State: Looking, Leader: -1}
	assert.Equal(t, looking, statusOf(4, nil))
	for _, s := range []messages.ServerState{messages.ServerState_LOOKING, 9} {
		assert.Equal(t, looking, statusOf(4, &messages.StateChanged{NewState: s, Leader: 2, PeerEpoch: 5}), "state %d", int32(s))
	}
	got := statusOf(4, &messages.StateChanged{NewState: messages.ServerState_FOLLOWING, Leader: 2,
		Zxid: 0x500000003, ElectionEpoch: 7, PeerEpoch: 5})
	assert.Equal(t, Status{ID: 4, State: Following, Leader: 2, Epoch: 5, Zxid: 0x500000003, ElectionRound: 7}, got)
	assert.Equal(t, "0x500000003", got.Zxid.String())
	assert.Equal(t, zk.Leading, statusOf(4, &messages.StateChanged{NewState: messages.ServerState_LEADING}).State)
	assert.Equal(t, zk.Observing, statusOf(4, &messages.StateChanged{NewState: messages.ServerState_OBSERVING}).State)
}
