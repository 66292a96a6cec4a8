package zab

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/pcaptest"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// The replay tests drive the session machines with the packets a real
// ZooKeeper peer sent in the capture and compare what the machines send
// with what the real server on the other side sent, byte for byte.

// sentBytes concatenates the encodings of the packets an output sends on c.
func sentBytes(out Output, c ConnID) []byte {
	var b []byte
	for _, s := range out.Send {
		if s.Conn == c {
			b = s.Packet.AppendEncode(b)
		}
	}
	return b
}

func TestReplayLearnersAgainstCapture(t *testing.T) {
	streams := pcaptest.ReadStreams(t, capturePath)
	cases := []struct {
		name            string
		learner, leader string // stream names
		cfg             LearnerConfig
		wantEpoch       int64
		persists        []EpochWrite
		compareUpTo     int // bytes of the learner's stream zkfle must reproduce
	}{
		{
			name: "follower 2, fresh, epoch 1", learner: "50928->15103", leader: "15103->50928",
			cfg:       LearnerConfig{ZooKeeperMode: true, ID: 2, LeaderID: 3},
			wantEpoch: 1, persists: []EpochWrite{{AcceptedEpochFile, 1}, {CurrentEpochFile, 1}},
			compareUpTo: 244, // then ZooKeeper ACKs the client's proposals, which zkfle never gets
		},
		{
			name: "follower 1, epoch 2 after failover", learner: "50868->15102", leader: "15102->50868",
			cfg:       LearnerConfig{ZooKeeperMode: true, ID: 1, LeaderID: 2, AcceptedEpoch: 1, CurrentEpoch: 1, LastZxid: 0x100000002},
			wantEpoch: 2, persists: []EpochWrite{{AcceptedEpochFile, 2}, {CurrentEpochFile, 2}},
			compareUpTo: 324,
		},
		{
			name: "observer 4, epoch 2", learner: "50878->15102", leader: "15102->50878",
			cfg:       LearnerConfig{ZooKeeperMode: true, ID: 4, LeaderID: 2, Observer: true, AcceptedEpoch: 1, CurrentEpoch: 1, LastZxid: 0x100000002},
			wantEpoch: 2, persists: []EpochWrite{{AcceptedEpochFile, 2}, {CurrentEpochFile, 2}},
			compareUpTo: 284,
		},
		{
			name: "old leader 3 rejoining late", learner: "50886->15102", leader: "15102->50886",
			cfg:       LearnerConfig{ZooKeeperMode: true, ID: 3, LeaderID: 2, AcceptedEpoch: 1, CurrentEpoch: 1, LastZxid: 0x100000002},
			wantEpoch: 2, persists: []EpochWrite{{AcceptedEpochFile, 2}, {CurrentEpochFile, 2}},
			compareUpTo: 244,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewLearnerSession(tc.cfg)
			require.NoError(t, err)
			require.NotNil(t, s.Start().Dial)
			const c = ConnID(7)
			out := s.Connected(c)
			sent := sentBytes(out, c)
			var persists []EpochWrite
			var established *Established
			for _, p := range readAllPackets(t, bytes.NewReader(streams[tc.leader].Data)) {
				if p.Type == quorumwire.Proposal {
					break
				}
				out := s.Received(c, p)
				require.Nil(t, out.Ended, "session ended on %s: %+v", p, out.Ended)
				persists = append(persists, out.Persist...)
				sent = append(sent, sentBytes(out, c)...)
				if out.Established != nil {
					established = out.Established
				}
			}
			want := streams[tc.learner].Data[:tc.compareUpTo]
			require.GreaterOrEqual(t, len(sent), len(want))
			assert.Equal(t, want, sent[:len(want)])
			assert.Equal(t, tc.persists, persists)
			require.NotNil(t, established)
			assert.Equal(t, Established{Epoch: tc.wantEpoch, Leader: tc.cfg.LeaderID, Role: s.Role(), Config: []byte(captureConfig)}, *established)
		})
	}
}

// TestReplayLeaderAgainstCapture plays the epoch-2 leader (server 2, after
// server 3 was killed) against the three learners that connected to it:
// follower 1 (with which it reached its quorum), observer 4, and server 3
// joining late. Each learner's handshake runs to the end before the next,
// then the heartbeat runs while every learner answers each ping.
func TestReplayLeaderAgainstCapture(t *testing.T) {
	streams := pcaptest.ReadStreams(t, capturePath)
	l, err := NewLeaderSession(LeaderConfig{
		ID: 2, Verifier: parseConfig(t, captureConfig),
		AcceptedEpoch: 1, CurrentEpoch: 1, LastZxid: 0x100000002,
		// The captured learners are ZooKeeper servers.
		ZooKeeperMode: true,
	})
	require.NoError(t, err)
	l.Start()
	conns := []struct {
		id              ConnID
		learner, leader string
	}{
		{1, "50868->15102", "15102->50868"},
		{2, "50878->15102", "15102->50878"},
		{3, "50886->15102", "15102->50886"},
	}
	sent := map[ConnID][]byte{}
	var persists []EpochWrite
	var established *Established
	take := func(out Output) {
		require.Nil(t, out.Ended)
		require.Empty(t, out.Close)
		persists = append(persists, out.Persist...)
		for _, c := range conns {
			sent[c.id] = append(sent[c.id], sentBytes(out, c.id)...)
		}
		if out.Established != nil {
			established = out.Established
		}
	}
	var pingReply = map[ConnID]quorumwire.Packet{}
	var heartbeat Timer
	for _, c := range conns {
		take(l.Connected(c.id))
		for _, p := range readAllPackets(t, bytes.NewReader(streams[c.learner].Data)) {
			if p.Type == quorumwire.Ping {
				pingReply[c.id] = p
				break
			}
			out := l.Received(c.id, p)
			take(out)
			for _, tm := range out.Timers {
				if tm.Kind == HeartbeatTimer {
					heartbeat = tm
				}
			}
		}
	}
	require.NotNil(t, established)
	assert.Equal(t, Established{Epoch: 2, Leader: 2, Role: zk.Leading}, *established)
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 2}, {CurrentEpochFile, 2}}, persists)
	require.Equal(t, HeartbeatTimer, heartbeat.Kind)
	for range 12 {
		out := l.Tick(heartbeat)
		take(out)
		heartbeat = out.Timers[len(out.Timers)-1]
		require.Equal(t, HeartbeatTimer, heartbeat.Kind)
		for _, c := range conns {
			take(l.Received(c.id, pingReply[c.id]))
		}
	}
	for _, c := range conns {
		want := streams[c.leader].Data
		require.GreaterOrEqual(t, len(sent[c.id]), len(want), "conn %d", c.id)
		assert.Equal(t, want, sent[c.id][:len(want)], "conn %d: LEADERINFO, DIFF, NEWLEADER, UPTODATE, PINGs", c.id)
	}
}
