package quorumwire

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/pcaptest"
)

// readAllPackets reads packets until EOF, or up to and including a SNAP
// (after which the stream holds an unframed snapshot).
func readAllPackets(t *testing.T, r io.Reader) []Packet {
	t.Helper()
	pr := NewPacketReader(r)
	var out []Packet
	for {
		p, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, p)
		if p.Type == Snap {
			return out
		}
	}
}

func packetTypes(ps []Packet) []PacketType {
	ts := make([]PacketType, len(ps))
	for i, p := range ps {
		ts[i] = p.Type
	}
	return ts
}

// TestCaptureStreamsParse reads every direction of every quorum connection
// of the capture, whole and one byte per Read, and checks the sequence
// ZooKeeper follows: a learner opens with FOLLOWERINFO/OBSERVERINFO then
// ACKEPOCH, the leader with LEADERINFO then DIFF (or SNAP), NEWLEADER,
// UPTODATE. Re-encoding every packet gives back the stream.
func TestCaptureStreamsParse(t *testing.T) {
	streams := pcaptest.ReadStreams(t, capturePath)
	require.Len(t, streams, 12, "6 learner connections, both directions")
	names := make([]string, 0, len(streams))
	for n := range streams {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return streams[names[i]].First < streams[names[j]].First })
	for _, name := range names {
		s := streams[name]
		t.Run(name, func(t *testing.T) {
			whole := readAllPackets(t, bytes.NewReader(s.Data))
			bytewise := readAllPackets(t, iotest.OneByteReader(bytes.NewReader(s.Data)))
			require.Equal(t, whole, bytewise)
			require.GreaterOrEqual(t, len(whole), 2)
			var re []byte
			for _, p := range whole {
				re = p.AppendEncode(re)
			}
			require.Equal(t, s.Data[:len(re)], re)
			types := packetTypes(whole)
			switch types[0] {
			case FollowerInfo, ObserverInfo:
				assert.Equal(t, []PacketType{AckEpoch, Ack, Ack}, types[1:4], "learner: ACKEPOCH, ACK of NEWLEADER, ACK of UPTODATE")
				assert.Len(t, re, len(s.Data), "the learner's stream is all packets")
			case LeaderInfo:
				if types[1] == Snap {
					assert.Len(t, types, 2)
					assert.Greater(t, len(s.Data), len(re), "an unframed snapshot follows SNAP")
					return
				}
				assert.Equal(t, []PacketType{Diff, NewLeader, UpToDate}, types[1:4])
				assert.Len(t, re, len(s.Data))
			default:
				t.Fatalf("stream starts with %s", types[0])
			}
		})
	}
}
