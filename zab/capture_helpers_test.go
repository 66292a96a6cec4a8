package zab

import (
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// capturePath is the real ZooKeeper 3.8.0 quorum-port capture the replay
// tests drive the sessions with. It lives with the codec that was cut from
// it (netbridge/quorumwire/testdata/README.md describes it).
const capturePath = "../netbridge/quorumwire/testdata/capture/quorum-3+1.pcap"

// captureConfig is the config text the capture's leaders sent in NEWLEADER
// (3 participants, 1 observer, reconfig disabled so version=0).
const captureConfig = "server.1=127.0.0.1:15101:15201:participant\n" +
	"server.2=127.0.0.1:15102:15202:participant\n" +
	"server.3=127.0.0.1:15103:15203:participant\n" +
	"server.4=127.0.0.1:15104:15204:observer\n" +
	"version=0"

// readAllPackets reads packets until EOF, or up to and including a SNAP
// (after which the stream holds an unframed snapshot).
func readAllPackets(t *testing.T, r io.Reader) []quorumwire.Packet {
	t.Helper()
	pr := quorumwire.NewPacketReader(r)
	var out []quorumwire.Packet
	for {
		p, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, p)
		if p.Type == quorumwire.Snap {
			return out
		}
	}
}
