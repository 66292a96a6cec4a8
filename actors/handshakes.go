package actors

import (
	"net"
	"net/netip"
	"slices"
	"sync"

	"github.com/zkfle/zkfle/cnx"
)

// Per-source bounds on pending handshakes: cnx.HandshakeLimits' rule (a
// source that is not a member's address may hold handshakesPerSource,
// all of those together Config.MaxPendingHandshakes; a member's address
// handshakesPerMemberSource, outside that total).
const (
	handshakesPerSource       = cnx.HandshakesPerSource
	handshakesPerMemberSource = cnx.HandshakesPerMemberSource
)

// handshakes tracks inbound connections whose initial message has not
// arrived yet, so a stop can close them, and admits them under
// cnx.HandshakeLimits. The Listener's handshake goroutines share it.
type handshakes struct {
	mu      sync.Mutex
	conns   map[net.Conn]pendingSource
	limits  *cnx.HandshakeLimits
	members *memberSources
	closed  bool
}

// pendingSource is where a pending handshake came from, and whether that
// was a member's address when it was admitted (the member set can grow
// while it is pending, when a host name resolves).
type pendingSource struct {
	src    netip.Addr
	member bool
}

func newHandshakes(max int, members *memberSources) *handshakes {
	return &handshakes{conns: map[net.Conn]pendingSource{}, limits: cnx.NewHandshakeLimits(max), members: members}
}

// add admits c, or says why not: the detail of a "too-many-handshakes"
// refusal. A connection whose source cannot be read counts as a
// non-member source of its own (the zero address).
func (h *handshakes) add(c net.Conn) (bool, string) {
	src, _ := remoteIP(c.RemoteAddr())
	member := h.members.contains(src)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false, "listener stopping"
	}
	if ok, why := h.limits.Admit(src, member); !ok {
		return false, why
	}
	h.conns[c] = pendingSource{src: src, member: member}
	return true, ""
}

// remove reports whether c was still pending (false: stop closed it).
func (h *handshakes) remove(c net.Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.conns[c]
	if !ok {
		return false
	}
	delete(h.conns, c)
	h.limits.Release(p.src, p.member)
	return true
}

// pending is how many handshakes are in flight (tests).
func (h *handshakes) pending() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// others is how many pending handshakes come from non-member sources
// (tests).
func (h *handshakes) others() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.conns {
		if !p.member {
			n++
		}
	}
	return n
}

func (h *handshakes) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.conns {
		_ = c.Close()
	}
	clear(h.conns)
	h.limits.Reset()
}

// memberSources is the set of addresses configured members' server lines
// name (IP hosts at once, host names once resolved): connections from
// them get the member allowance of pending handshakes. Safe for
// concurrent use.
type memberSources struct {
	mu    sync.RWMutex
	addrs map[netip.Addr]bool
}

func (m *memberSources) contains(ip netip.Addr) bool {
	if m == nil {
		return false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.addrs[ip]
}

func (m *memberSources) add(ips ...netip.Addr) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.addrs == nil {
		m.addrs = map[netip.Addr]bool{}
	}
	for _, ip := range ips {
		if ip.IsValid() && !ip.IsUnspecified() {
			m.addrs[ip.Unmap()] = true
		}
	}
}

// newMemberSources collects the IP hosts of every server line of cfg's
// committed and last-seen views, and returns the host names still to be
// resolved.
func newMemberSources(cfg Config) (*memberSources, []string) {
	m := &memberSources{}
	var names []string
	for _, v := range cfg.views().Views() {
		for _, s := range v.Servers() {
			for _, a := range s.Addrs {
				if ip, err := netip.ParseAddr(a.Host); err == nil {
					m.add(ip)
				} else if !slices.Contains(names, a.Host) {
					names = append(names, a.Host)
				}
			}
		}
	}
	return m, names
}
