package cnx

import (
	"sort"
	"time"

	"github.com/zkfle/zkfle/quorum"
)

// DefaultRedialInterval is how long a live connection to a smaller sid
// must have stood before a call from that sid may make us drop it and
// call back, when Config.RedialInterval is zero.
const DefaultRedialInterval = time.Second

// DefaultNonMemberLimit is how many sids outside the configuration a
// Manager keeps state for, when Config.NonMemberLimit is zero. Election
// probes and observers missing from the configuration are few; 64 leaves
// room for them.
const DefaultNonMemberLimit = 64

// Conn names one connection. The driver chooses the values (each new
// connection a new one, never reused while the Manager lives) and maps
// them to its sockets; the Manager only compares them.
type Conn uint64

// Direction says who opened a connection.
type Direction int

const (
	// Outbound connections were dialled by us.
	Outbound Direction = iota + 1
	// Inbound connections were accepted from the peer.
	Inbound
)

// String names the direction.
func (d Direction) String() string {
	switch d {
	case Outbound:
		return "outbound"
	case Inbound:
		return "inbound"
	}
	return "unknown"
}

// Config is what a Manager needs to know about its server and ensemble.
type Config struct {
	// ID is our own sid.
	ID int64
	// Verifier is the committed configuration: the servers we dial and
	// whose connections we take as members'.
	Verifier quorum.Verifier
	// LastSeen is the last proposed configuration, or nil. A sid in either
	// view is a member.
	LastSeen quorum.Verifier
	// RedialInterval is how long our live link to a smaller sid must have
	// stood before a call from that sid tears it down: a call within it
	// crossed our dial or repeats the call that made this link (zero:
	// DefaultRedialInterval).
	RedialInterval time.Duration
	// NonMemberLimit bounds the sids outside the configuration we keep
	// state for (zero: DefaultNonMemberLimit; negative: none at all).
	NonMemberLimit int
	// CallWindow is how long after our call to a larger sid (a dial hung
	// up after its header) the close of that sid's live link is taken as
	// the call's tie-break rather than as the peer going away (Closed;
	// liveness.go). Zero: DefaultCallWindow. Drivers set the header read
	// timeout, the longest a peer takes to act on our call.
	CallWindow time.Duration
}

// Manager is one server's connection manager (QuorumCnxManager) without
// its sockets: which peers we know, what waits to be sent to each, what
// was last handed to each, which connection is live per peer and which
// dials are in flight. Feed it inputs (Send, ConnectAll, ConnectOne,
// Dialed, Accepted, Closed, RedialDue, Restart, Leave); carry out each
// returned Output in field order.
//
// The send queues, the last messages and the known peers survive Restart
// (ZooKeeper never removes them); connections, dials and the tie-break's
// memory belong to one incarnation of the driver.
//
// A Manager is not safe for concurrent use: one driver owns it.
type Manager[M any] struct {
	cfg Config

	// Kept across Restart.
	// pending is the send queue of one per peer while it has no
	// connection (queueSendMap): a newer message replaces the older.
	pending map[int64]M
	// lastSent is the last message handed to each peer's connection
	// (lastMessageSent).
	lastSent map[int64]M
	// known lists every sid we ever had a send queue for (connectAll).
	known map[int64]bool
	// others are the non-member sids we keep state for, least recently
	// used first.
	others *sidTable

	// Per incarnation (cleared by Restart).
	links   map[int64]link
	dialing map[int64]bool
	// redialArmed marks sids with a RedialTimer the driver holds.
	redialArmed map[int64]bool
	// calls are our unspent calls to larger sids: when each one's dial
	// hung up (liveness.go).
	calls map[int64]time.Time
	// spent marks sids whose dial in flight already had its call spent
	// by a close (liveness.go).
	spent map[int64]bool
	// delivered is the haveDelivered value last reported (nil: never).
	delivered *bool
	leaving   bool
}

// link is one live connection.
type link struct {
	conn Conn
	dir  Direction
	// seq is an inbound connection's accept number (0 for ours).
	seq uint64
	// since is when the link was adopted.
	since time.Time
}

// New returns a Manager with nothing known, nothing pending and no
// connection. Call Restart before the first other input, as a driver does
// at the start of every incarnation.
func New[M any](cfg Config) *Manager[M] {
	if cfg.RedialInterval == 0 {
		cfg.RedialInterval = DefaultRedialInterval
	}
	if cfg.NonMemberLimit == 0 {
		cfg.NonMemberLimit = DefaultNonMemberLimit
	}
	if cfg.CallWindow == 0 {
		cfg.CallWindow = DefaultCallWindow
	}
	m := &Manager[M]{
		cfg:      cfg,
		pending:  map[int64]M{},
		lastSent: map[int64]M{},
		known:    map[int64]bool{},
		others:   newSidTable(max(cfg.NonMemberLimit, 0)),
	}
	m.reset()
	return m
}

func (m *Manager[M]) reset() {
	m.links = map[int64]link{}
	m.dialing = map[int64]bool{}
	m.redialArmed = map[int64]bool{}
	m.calls = map[int64]time.Time{}
	m.spent = map[int64]bool{}
	m.delivered = nil
	m.leaving = false
}

// Restart begins a new incarnation of the driver: every connection and
// dial of the previous one is gone (the driver closed them), armed redial
// timers are forgotten (the driver stopped them), and the send queues and
// last messages stay. It reports haveDelivered as true, so an election
// that was waiting for a queue to drain re-sends, and connects to every
// known peer (connectAll), so the links come back without waiting for the
// election's next timeout.
func (m *Manager[M]) Restart() Output[M] {
	m.reset()
	var out Output[M]
	t := true
	m.delivered = &t
	out.Delivered = &t
	m.connectAll(&out)
	return out
}

// Leave marks the incarnation as stopping: from now on the Manager dials
// nobody and closes every connection that arrives (a driver that is
// stopping cannot take new ones).
func (m *Manager[M]) Leave() { m.leaving = true }

// Leaving reports whether Leave was called in this incarnation.
func (m *Manager[M]) Leaving() bool { return m.leaving }

// IsMember reports whether sid is ourselves or in the committed or
// last-seen view.
func (m *Manager[M]) IsMember(sid int64) bool {
	if sid == m.cfg.ID {
		return true
	}
	_, ok := m.server(sid)
	return ok
}

// server looks sid up in the committed view, then the last-seen one.
func (m *Manager[M]) server(sid int64) (quorum.Server, bool) {
	if m.cfg.Verifier != nil {
		if s, ok := m.cfg.Verifier.Server(sid); ok {
			return s, true
		}
	}
	if m.cfg.LastSeen != nil {
		return m.cfg.LastSeen.Server(sid)
	}
	return quorum.Server{}, false
}

// Link returns sid's live connection, if it has one.
func (m *Manager[M]) Link(sid int64) (Conn, Direction, bool) {
	l, ok := m.links[sid]
	return l.conn, l.dir, ok
}

// Links returns the sids with a live connection, ascending.
func (m *Manager[M]) Links() []int64 { return sortedKeys(m.links) }

// Dialing reports whether a connection attempt to sid is in flight.
func (m *Manager[M]) Dialing(sid int64) bool { return m.dialing[sid] }

// Pending returns the message waiting for sid's connection, if any.
func (m *Manager[M]) Pending(sid int64) (M, bool) {
	v, ok := m.pending[sid]
	return v, ok
}

// LastSent returns the last message handed to sid's connection, if any:
// what a new connection to sid sends first when nothing is pending.
func (m *Manager[M]) LastSent(sid int64) (M, bool) {
	v, ok := m.lastSent[sid]
	return v, ok
}

// Known returns every sid we have a send queue for, ascending.
func (m *Manager[M]) Known() []int64 { return sortedKeys(m.known) }

// HaveDelivered is ZooKeeper's QuorumCnxManager.haveDelivered(), bug for
// bug: true as soon as any known peer's send queue is empty
// (ZOOKEEPER-3637/4605, never merged), false when every queue holds a
// message. One exception: with no queue at all ZooKeeper says false (the
// election then only reconnects); this says true (the election re-sends).
// A driver whose election hands sends over a mailbox can lose one to a
// crash before it reaches the manager, and "no queue" then means our vote
// never arrived: only a re-send recovers it, where connectAll has nobody
// to connect to.
func (m *Manager[M]) HaveDelivered() bool {
	if len(m.known) == 0 {
		return true
	}
	for sid := range m.known {
		if _, waiting := m.pending[sid]; !waiting {
			return true
		}
	}
	return false
}

// noteDelivered adds haveDelivered to out when it differs from what was
// last reported, so the election can choose between re-sending and
// connectAll without asking.
func (m *Manager[M]) noteDelivered(out *Output[M]) {
	v := m.HaveDelivered()
	if m.delivered != nil && *m.delivered == v {
		return
	}
	m.delivered = &v
	out.Delivered = &v
}

func sortedKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
