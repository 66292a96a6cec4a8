package actors

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
)

// A connection manager that is stopping or restarting still receives user
// messages while it waits for its children. A connection that arrives then
// (a dial that just finished, an inbound one the Listener queued) must be
// closed, not given a Peer: a child spawned after the stop began is never
// stopped, so the manager and every ancestor would wait for it forever.
func TestCnxManagerLeavingClosesArrivals(t *testing.T) {
	cfg, ln := oneVoter(t)
	require.NoError(t, ln.Close())
	me, _ := cfg.Verifier.Server(cfg.ID)
	// A second member, so that a manager that is not leaving would dial it.
	v, err := quorum.NewMajority([]quorum.Server{me, {ID: 8, Addrs: []quorum.AddrPair{
		{Host: "127.0.0.1", QuorumPort: 1, ElectionPort: 2}}}}, 0)
	require.NoError(t, err)
	cfg.Verifier = v
	rt := &runtime{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), cnx: newCnxState(cfg)}
	c := newCnxManager(rt)
	c.core.Restart()
	// The stop as protoactor delivers it: the manager's own Receive must
	// mark the core as leaving (a test that called the core directly let
	// a driver that forgot it pass).
	c.Receive(messageOnly{msg: &actor.Stopping{}})
	require.True(t, c.core.Leaving(), "Stopping did not make the core leave")

	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer tcp.Close()
	theirs, err := net.Dial("tcp", tcp.Addr().String())
	require.NoError(t, err)
	defer theirs.Close()
	ours, err := tcp.Accept()
	require.NoError(t, err)
	// No actor context: a leaving manager must not touch one.
	c.dialed(nil, &dialResult{sid: 8, conn: ours})
	assert.Empty(t, c.peers, "a Peer was started for a connection that arrived while stopping")
	assert.Empty(t, c.core.Links())
	require.NoError(t, theirs.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = theirs.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the connection was not closed")

	c.apply(nil, c.core.ConnectOne(8))
	assert.False(t, c.core.Dialing(8), "a leaving manager started a dial")
}

// messageOnly is an actor.Context that answers only Message: enough for a
// Receive branch that must not touch the context (any other call panics,
// which fails the test).
type messageOnly struct {
	actor.Context
	msg any
}

func (m messageOnly) Message() any { return m.msg }
