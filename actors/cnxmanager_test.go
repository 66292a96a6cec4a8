package actors

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
)

// A connection manager that is stopping or restarting still receives user
// messages while it waits for its children. A connection that arrives then
// (a dial that just finished, an inbound one the Listener queued) must be
// closed, not given a Peer: a child spawned after the stop began is never
// stopped, so the manager and every ancestor would wait for it forever.
func TestCnxManagerLeavingClosesArrivals(t *testing.T) {
	cfg, ln := oneVoter(t)
	require.NoError(t, ln.Close())
	rt := &runtime{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), cnx: newCnxState()}
	c := &cnxManager{rt: rt, st: rt.cnx, links: map[int64]*peerLink{}, dialing: map[int64]bool{}, leaving: true}

	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer tcp.Close()
	theirs, err := net.Dial("tcp", tcp.Addr().String())
	require.NoError(t, err)
	defer theirs.Close()
	ours, err := tcp.Accept()
	require.NoError(t, err)
	// No actor context: a leaving manager must not touch one.
	c.addLink(nil, 2, ours, messages.Direction_INBOUND)
	assert.Empty(t, c.links, "a Peer was started for a connection that arrived while stopping")
	require.NoError(t, theirs.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = theirs.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the connection was not closed")

	c.connectOne(nil, 2)
	assert.Empty(t, c.dialing, "a leaving manager started a dial")
}
