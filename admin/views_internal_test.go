package admin

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
)

// TestVoteJSONZxidHex: a vote's zxid_hex is ZooKeeper's Long.toHexString
// after 0x, so an untrusted database's -1 reads 0xffffffffffffffff (the
// same as in the logs, the probe and the traces), beside the number.
func TestVoteJSONZxidHex(t *testing.T) {
	for zxid, hex := range map[int64]string{0x100000002: "0x100000002", -1: "0xffffffffffffffff", 0: "0x0"} {
		b, err := json.Marshal(voteOf(&messages.Vote{Leader: 3, Zxid: zxid, State: messages.ServerState_LEADING}))
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.Unmarshal(b, &got))
		assert.Equal(t, hex, got["zxid_hex"], "zxid %d", zxid)
		assert.Equal(t, "LEADING", got["state"])
	}
}
