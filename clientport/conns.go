package clientport

import (
	"net"
	"sync"
	"time"

	"github.com/zkfle/zkfle/fourletter"
)

// clientConn is one open client-port connection.
type clientConn struct {
	conn     net.Conn
	addr     string
	ip       string // addr's host: the per-source cap's key
	accepted time.Time
	// wordDone is set once its word has been read (ZooKeeper then
	// cancels its selection key: interest 0).
	wordDone       bool
	received, sent int64
}

// conns holds one incarnation's open connections, in accept order,
// so that stat can list them and a stop can close them.
type conns struct {
	mu           sync.Mutex
	max          int
	maxPerSource int
	closed       bool
	list         []*clientConn
	// perSource counts open connections by source IP; an IP with none
	// has no entry, so the map is bounded by the list.
	perSource map[string]int
}

// Why add refuses a connection (rate-limited log reasons).
const (
	refusedTotal     = "too-many-connections"
	refusedPerSource = "too-many-connections-from-source"
)

// add registers conn. It returns nil (the caller closes conn) past a cap,
// with the reason, or once the set is closed, with no reason.
func (r *conns) add(conn net.Conn, now time.Time) (*clientConn, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ""
	}
	addr := conn.RemoteAddr().String()
	ip := sourceIP(addr)
	if r.maxPerSource > 0 && r.perSource[ip] >= r.maxPerSource {
		return nil, refusedPerSource
	}
	if len(r.list) >= r.max {
		return nil, refusedTotal
	}
	if r.perSource == nil {
		r.perSource = map[string]int{}
	}
	r.perSource[ip]++
	cc := &clientConn{conn: conn, addr: addr, ip: ip, accepted: now}
	r.list = append(r.list, cc)
	return cc, ""
}

// remove forgets cc and closes its socket.
func (r *conns) remove(cc *clientConn) {
	r.mu.Lock()
	for i, x := range r.list {
		if x == cc {
			r.list = append(r.list[:i], r.list[i+1:]...)
			if r.perSource[cc.ip]--; r.perSource[cc.ip] <= 0 {
				delete(r.perSource, cc.ip)
			}
			break
		}
	}
	r.mu.Unlock()
	_ = cc.conn.Close()
}

// closeAll closes every connection and refuses new ones. The goroutines
// serving them see their sockets fail and remove them.
func (r *conns) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for _, cc := range r.list {
		_ = cc.conn.Close()
	}
}

func (r *conns) wordRead(cc *clientConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cc.wordDone = true
	cc.received++
}

func (r *conns) answered(cc *clientConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cc.sent++
}

// resetStats is crst: every connection's counters back to zero.
func (r *conns) resetStats() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cc := range r.list {
		cc.received, cc.sent = 0, 0
	}
}

// clients lists the connections for an answer. A connection expires
// idleTimeout after it was accepted, rounded up to the next multiple of
// idleTimeout, as in ZooKeeper's ExpiryQueue.
func (r *conns) clients(now time.Time, idleTimeout time.Duration) []fourletter.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]fourletter.Client, 0, len(r.list))
	interval := idleTimeout.Milliseconds()
	for _, cc := range r.list {
		c := fourletter.Client{Addr: cc.addr, Interest: 1, Received: cc.received, Sent: cc.sent}
		if cc.wordDone {
			c.Interest = 0
		}
		if interval > 0 {
			at := (cc.accepted.UnixMilli()+interval)/interval*interval + interval
			c.Expires = time.UnixMilli(at).In(now.Location())
		}
		out = append(out, c)
	}
	return out
}
