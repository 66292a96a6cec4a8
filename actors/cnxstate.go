package actors

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// cnxState is the connection manager's state that outlives its restarts.
// The rules' state lives in core (cnx.Manager): like QuorumCnxManager's
// queueSendMap and lastMessageSent, its send queues and last messages are
// not removed when a connection dies: a peer we once sent to stays known,
// and the last message we sent it is re-sent when a new connection comes
// up (ZOOKEEPER-481). Unlike there, that holds for members only: sids
// outside the configuration share a bounded table and the least recently
// used is forgotten when it is full. The core's connections and dials
// belong to one incarnation (cnx.Manager.Restart at each start).
type cnxState struct {
	// core is the connection manager's rule book.
	core *cnx.Manager[*messages.Notification]
	// stats are per-peer counters for the status query.
	stats map[int64]*peerStats
	// pruned sums the counters of the non-members forgotten so far.
	pruned peerStats
	// rejected counts inbound connections refused, by reason.
	rejected map[string]uint64
	// unboundLogged is set once a dial that could not bind our own
	// address has been logged (once per node: it is a property of the
	// host, not of a peer).
	unboundLogged bool
	// acceptSeq numbers accepted election connections in accept order
	// (the Listener's goroutines increment it; it outlives restarts so
	// numbers only grow). See inboundConn.seq.
	acceptSeq atomic.Uint64
	// gen numbers Peer actors so a new connection's Peer never collides
	// with a stopping one, and stale reports can be told apart.
	gen uint64
	// connSeq names the connections handed to core (cnx.Conn): never
	// reused while core lives.
	connSeq uint64
}

type peerStats struct {
	sent, sendDropped                uint64
	connectAttempts, connectFailures uint64
	consecutiveFailures              uint64
	lastClose                        messages.CloseReason
	lastCloseDetail                  string
	// received is counted by the peer's RecvWorker (the bridge's reader goroutine, recvWorkerSink).
	received atomic.Uint64
}

func newCnxState(cfg Config) *cnxState {
	return &cnxState{
		core: cnx.New[*messages.Notification](cnx.Config{
			ID:             cfg.ID,
			Verifier:       cfg.Verifier,
			LastSeen:       cfg.LastSeen,
			RedialInterval: tieBreakInterval,
			NonMemberLimit: nonMemberTableSize,
			// A peer acts on our call once it has read our header,
			// within its header read timeout (ours, in an ensemble
			// that shares its zoo.cfg), or never.
			CallWindow: cfg.handshakeTimeout(),
		}),
		stats:    map[int64]*peerStats{},
		rejected: map[string]uint64{},
	}
}

// newConn names a connection for core.
func (s *cnxState) newConn() cnx.Conn {
	s.connSeq++
	return cnx.Conn(s.connSeq)
}

func (s *cnxState) statsFor(sid int64) *peerStats {
	st, ok := s.stats[sid]
	if !ok {
		st = &peerStats{}
		s.stats[sid] = st
	}
	return st
}

// peerLink is one live connection, as the current connection-manager
// incarnation knows it. Links die with the incarnation (its Peer children
// are stopped on restart).
type peerLink struct {
	pid       *actor.PID
	sid       int64
	direction messages.Direction
	remote    string
}

// Internal messages. These carry live sockets or Go values that have no
// place in a protobuf, and never leave the node.
type (
	// inboundConn is a connection whose initial message arrived
	// (Listener -> ConnectionManager).
	inboundConn struct {
		conn   net.Conn
		header electionwire.InitialMessage
		// seq is the connection's accept number. Handshakes are read
		// concurrently, so a connection accepted earlier can be reported
		// later; seq lets the manager tell the stale one.
		seq uint64
		// accepted is when the listener accepted it (cnx.Incoming.At).
		accepted time.Time
	}
	// dialResult ends an outbound connection attempt (dial goroutine ->
	// ConnectionManager). conn is nil when the attempt failed or when the
	// tie-break made us hang up after sending our header.
	dialResult struct {
		sid      int64
		addr     string
		conn     net.Conn
		err      error
		hungUp   bool
		attempts uint64
		// unbound is why the dial could not use our own address as its
		// source (it then went out unbound), or nil.
		unbound error
	}
	// listenerFailed reports that the election port could not be bound
	// (Listener -> ConnectionManager -> root).
	listenerFailed struct{ err error }
	// peerPathsRequest asks the connection manager for its Peer actors'
	// paths (tests inject faults there).
	peerPathsRequest  struct{}
	peerPathsResponse struct{ paths map[int64]string }
)
