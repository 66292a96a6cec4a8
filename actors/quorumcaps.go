package actors

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// Caps on the Leader's quorum port. Only configured learners have any
// business there, and each needs one connection (two while a reconnect
// overlaps its dying socket), so the budget is derived from the
// configuration; everything else shares a small pool that can never eat
// into the members' share.
const (
	// quorumPerMemberPeer is the slots each configured server gets: its
	// live connection and one reconnect.
	quorumPerMemberPeer = 2
	// quorumForeignTotal is the pool shared by every address no server
	// line names (probes, scanners): the slack of the total.
	quorumForeignTotal = 8
	// quorumPerForeignSource bounds one foreign address within that pool,
	// so a single scanner cannot take all of it.
	quorumPerForeignSource = 4
)

// quorumCaps admits accepted quorum-port connections, counting them per
// source IP and in total from accept until the socket is closed:
//
//   - total, with the source check off: quorumPerMemberPeer × (other
//     configured servers) + quorumForeignTotal (with it on, the caps
//     below bound the total, and no shared count can refuse a member);
//   - a member address (an IP some other server's line names or resolves
//     to): quorumPerMemberPeer × (servers at that IP) + quorumPerMemberPeer,
//     so co-located members (one IP, several sids) and a reconnect fit;
//   - foreign addresses: quorumPerForeignSource each, quorumForeignTotal
//     together. Foreign connections never hold more than the slack, so the
//     members' slots stay free for them whatever other sources do.
//
// With the source check off (SkipPeerAddressCheck: members behind NAT
// arrive from addresses no line names) only the total applies. Member
// host names are resolved once per leader session.
//
// Safe for concurrent use: the accept loops call admit, sockets closing
// on any goroutine release.
type quorumCaps struct {
	total  int
	others int // other configured servers, for the log line
	// anySource: the source check is off (Config.SkipPeerAddressCheck,
	// members behind NAT), so no address can be told to be a member's;
	// only the total applies.
	anySource bool

	membersOnce sync.Once
	members     func() map[netip.Addr]int // per member IP: its cap
	memberCap   map[netip.Addr]int

	mu      sync.Mutex
	perIP   map[netip.Addr]int
	count   int
	foreign int

	refused atomic.Uint64
}

// newQuorumCaps sizes the caps from the configuration. Member addresses
// are worked out on first use (on an accept goroutine: a host name may
// need resolving).
func newQuorumCaps(cfg Config, sources *peerSources) *quorumCaps {
	ids := map[int64]bool{}
	for _, v := range cfg.views().Views() {
		for _, s := range v.Servers() {
			ids[s.ID] = true
		}
	}
	delete(ids, cfg.ID)
	q := &quorumCaps{
		total:     quorumPerMemberPeer*len(ids) + quorumForeignTotal,
		others:    len(ids),
		anySource: cfg.SkipPeerAddressCheck,
		perIP:     map[netip.Addr]int{},
	}
	q.members = func() map[netip.Addr]int {
		at := map[netip.Addr]int{}
		for id := range ids {
			s, ok := sources.server(id)
			if !ok {
				continue
			}
			seen := map[netip.Addr]bool{}
			for _, a := range s.Addrs {
				addrs, wildcard := sources.addrsOf(a.Host, false)
				if wildcard {
					continue
				}
				for _, ip := range addrs {
					if !seen[ip] {
						seen[ip] = true
						at[ip]++
					}
				}
			}
		}
		for ip, n := range at {
			at[ip] = quorumPerMemberPeer*n + quorumPerMemberPeer
		}
		return at
	}
	return q
}

// admit counts a new connection from remote, or reports which cap it hit
// ("quorum-total", "quorum-foreign-total", "quorum-per-source"). The
// returned release must be called exactly once when an admitted
// connection closes.
func (q *quorumCaps) admit(remote net.Addr) (release func(), reason string) {
	q.membersOnce.Do(func() { q.memberCap = q.members() })
	ip, _ := remoteIP(remote)
	limit, member := q.memberCap[ip]
	if q.anySource {
		limit, member = q.total, true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.anySource && q.count >= q.total:
		// With the check on, the caps below already bound the total (the
		// member caps plus the foreign pool); counting a member against a
		// shared total as well would let foreign connections, which may
		// hold the slack, refuse its reconnect while its old socket still
		// waits for its read timeout.
		reason = "quorum-total"
	case !member && q.foreign >= quorumForeignTotal:
		reason = "quorum-foreign-total"
	case !member && q.perIP[ip] >= quorumPerForeignSource, member && q.perIP[ip] >= limit:
		reason = "quorum-per-source"
	}
	if reason != "" {
		q.refused.Add(1)
		return nil, reason
	}
	q.count++
	q.perIP[ip]++
	if !member {
		q.foreign++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			q.count--
			if q.perIP[ip]--; q.perIP[ip] <= 0 {
				delete(q.perIP, ip)
			}
			if !member {
				q.foreign--
			}
		})
	}, ""
}

// open returns how many admitted connections are open.
func (q *quorumCaps) open() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.count
}

// cappedConn is an admitted connection: closing it frees its slot.
type cappedConn struct {
	net.Conn
	release func()
}

// Close closes the socket and frees the slot (once, however often it is
// called).
func (c *cappedConn) Close() error {
	c.release()
	return c.Conn.Close()
}
