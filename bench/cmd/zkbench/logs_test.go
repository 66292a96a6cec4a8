package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lines as ZooKeeper 3.8 wrote them in zk-reference/capture-logs/s1.log.
const zkLog = `2026-11-25 18:52:17.651 [main] INFO org.apache.zookeeper.server.quorum.QuorumPeerConfig - Reading configuration from: <dir>/s1/zoo.cfg
2026-11-25 18:52:18.271 [QuorumPeer[myid=1](plain=127.0.0.1:12001)(secure=disabled)] INFO org.apache.zookeeper.server.quorum.QuorumPeer - LOOKING
2026-11-25 18:52:18.546 [QuorumPeer[myid=1](plain=127.0.0.1:12001)(secure=disabled)] INFO org.apache.zookeeper.server.quorum.QuorumPeer - Peer state changed: following
2026-11-25 18:52:18.573 [QuorumPeer[myid=1](plain=127.0.0.1:12001)(secure=disabled)] INFO org.apache.zookeeper.server.quorum.Learner - FOLLOWING - LEADER ELECTION TOOK - 302 MS
2026-11-25 18:52:18.580 [QuorumPeer[myid=1](plain=127.0.0.1:12001)(secure=disabled)] INFO org.apache.zookeeper.server.quorum.QuorumPeer - Peer state changed: following - discovery
2026-11-25 18:52:19.000 [QuorumPeer[myid=1](plain=127.0.0.1:12001)(secure=disabled)] INFO org.apache.zookeeper.server.quorum.QuorumPeer - LOOKING
`

func zkTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation(zkStampLayout, s, time.Local)
	require.NoError(t, err)
	return v
}

func TestScanLogZookeeperKeepsFirstOfEachEvent(t *testing.T) {
	sl, err := scanLog(strings.NewReader(zkLog), classifyZookeeper)
	require.NoError(t, err)
	assert.Equal(t, zkTime(t, "2026-11-25 18:52:18.271"), sl.looking, "first LOOKING, not the later one")
	assert.Equal(t, zkTime(t, "2026-11-25 18:52:18.573"), sl.elected, "LEADER ELECTION TOOK line")
	assert.Equal(t, zkTime(t, "2026-11-25 18:52:18.546"), sl.decided, "bare state change, not '- discovery'")
}

// zkfle's decision is its "election decided" line; its "elected" mark is
// the later "state changed" to a role, once the session is established.
func TestScanLogZkfleDecidedThenEstablished(t *testing.T) {
	log := `time=2026-11-25T20:31:00.100Z level=INFO msg="node started" config=/x/zoo.cfg
time=2026-11-25T20:31:00.123Z level=INFO msg="start looking" reason=STARTUP zxid=0x0 epoch=0
time=2026-11-25T20:31:00.200Z level=INFO msg="state changed" state=LOOKING leader=0
time=2026-11-25T20:31:00.320Z level=INFO msg="election decided" leader=3 zxid=0x0 epoch=0 round=1 state=FOLLOWING
time=2026-11-25T20:31:00.331Z level=INFO msg="state changed" state=FOLLOWING leader=3 zxid=0 round=1 epoch=1
time=2026-11-25T20:31:09.000Z level=INFO msg="state changed" state=LEADING leader=1
`
	sl, err := scanLog(strings.NewReader(log), classifyZkfle)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 25, 20, 31, 0, 123e6, time.UTC), sl.looking.UTC())
	assert.Equal(t, time.Date(2026, 11, 25, 20, 31, 0, 320e6, time.UTC), sl.decided.UTC())
	assert.Equal(t, time.Date(2026, 11, 25, 20, 31, 0, 331e6, time.UTC), sl.elected.UTC(), "LOOKING state changes are not roles")
}

func TestScanLogWithoutDecisionIsIncomplete(t *testing.T) {
	log := "time=2026-11-25T20:31:00.123Z level=INFO msg=\"start looking\"\n"
	_, err := scanLog(strings.NewReader(log), classifyZkfle)
	assert.ErrorIs(t, err, ErrLogIncomplete)
}

func TestClassifiersIgnoreMalformedStamps(t *testing.T) {
	_, _, ok := classifyZkfle(`time=yesterday level=INFO msg="start looking"`)
	assert.False(t, ok)
	_, _, ok = classifyZkfle(`level=INFO msg="start looking"`)
	assert.False(t, ok, "no time= prefix")
	_, _, ok = classifyZookeeper("QuorumPeer - LOOKING")
	assert.False(t, ok, "too short for a timestamp")
	_, _, ok = classifyZookeeper("2026-13-45 99:52:18.271 [x] INFO QuorumPeer - LOOKING")
	assert.False(t, ok, "impossible date")
}
