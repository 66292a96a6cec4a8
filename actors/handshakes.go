package actors

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"

	"github.com/zkfle/zkfle/quorum"
)

// Per-source bounds on pending handshakes. A source that is not a
// configured member's address may hold handshakesPerSource of them, and
// all such sources together Config.MaxPendingHandshakes. A member's
// address has its own allowance, outside that total: a flood from
// elsewhere can fill the shared slots but never keeps a (restarted)
// member from being heard. Members open one or two connections to us at
// a time; the larger allowance is for ensembles whose members share one
// address (tests on 127.0.0.1, several servers on one host).
const (
	handshakesPerSource       = 8
	handshakesPerMemberSource = 32
)

// handshakes tracks inbound connections whose initial message has not
// arrived yet, so a stop can close them and a flood is bounded per
// source address and in total.
type handshakes struct {
	mu      sync.Mutex
	conns   map[net.Conn]pendingSource
	bySrc   map[netip.Addr]int
	others  int // pending from sources that are not members' addresses
	max     int // bound on others (Config.MaxPendingHandshakes)
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
	return &handshakes{conns: map[net.Conn]pendingSource{}, bySrc: map[netip.Addr]int{}, max: max, members: members}
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
	if member {
		if h.bySrc[src] >= handshakesPerMemberSource {
			return false, fmt.Sprintf("%d handshakes already pending from member address %s", h.bySrc[src], src)
		}
	} else {
		if h.bySrc[src] >= min(handshakesPerSource, h.max) {
			return false, fmt.Sprintf("%d handshakes already pending from %s", h.bySrc[src], src)
		}
		if h.others >= h.max {
			return false, fmt.Sprintf("%d handshakes already pending from non-member addresses", h.others)
		}
		h.others++
	}
	h.bySrc[src]++
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
	if h.bySrc[p.src] <= 1 {
		delete(h.bySrc, p.src)
	} else {
		h.bySrc[p.src]--
	}
	if !p.member {
		h.others--
	}
	return true
}

// pending is how many handshakes are in flight (tests).
func (h *handshakes) pending() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

func (h *handshakes) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.conns {
		_ = c.Close()
	}
	clear(h.conns)
	clear(h.bySrc)
	h.others = 0
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
	for _, v := range []quorum.Verifier{cfg.Verifier, cfg.LastSeen} {
		if v == nil {
			continue
		}
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
