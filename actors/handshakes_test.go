package actors

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// stubConn is a net.Conn with only a remote address (the handshake set
// never reads or writes).
type stubConn struct {
	net.Conn
	remote net.Addr
}

func (c *stubConn) RemoteAddr() net.Addr { return c.remote }
func (c *stubConn) Close() error         { return nil }

func from(ip string) *stubConn {
	return &stubConn{remote: &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}}
}

// Pending handshakes are capped per source address and, for sources
// that are not members' addresses, in total; a member's address has its
// own allowance that the others cannot use up.
func TestHandshakesCapPerSourceAndReserveMembers(t *testing.T) {
	members := &memberSources{}
	members.add(netip.MustParseAddr("127.0.0.2"))
	h := newHandshakes(20, members)

	for i := 0; i < handshakesPerSource; i++ {
		ok, why := h.add(from("127.0.0.9"))
		require.True(t, ok, why)
	}
	ok, why := h.add(from("127.0.0.9"))
	assert.False(t, ok, "one source over its cap")
	assert.Contains(t, why, "from 127.0.0.9")

	// Other sources fill the total...
	var last *stubConn
	for i := 0; h.others() < 20; i++ {
		last = from(fmt.Sprintf("127.0.1.%d", i/2+1))
		ok, why := h.add(last)
		require.True(t, ok, why)
	}
	ok, why = h.add(from("127.0.2.1"))
	assert.False(t, ok, "a new source over the total")
	assert.Contains(t, why, "non-member")

	// ...but a member's address is still admitted, up to its own cap.
	for i := 0; i < handshakesPerMemberSource; i++ {
		ok, why := h.add(from("127.0.0.2"))
		require.True(t, ok, "member handshake %d: %s", i, why)
	}
	ok, _ = h.add(from("127.0.0.2"))
	assert.False(t, ok, "a member's address has a cap too")

	// A slot freed is a slot reusable.
	require.True(t, h.remove(last))
	ok, why = h.add(from("127.0.2.1"))
	assert.True(t, ok, why)
	assert.False(t, h.remove(from("127.0.3.1")), "never added")

	h.closeAll()
	assert.Zero(t, h.pending())
	ok, _ = h.add(from("127.0.0.2"))
	assert.False(t, ok, "closed")
}

// A source that becomes a member's address while its handshake is
// pending (a host name resolved meanwhile) gives back the slot it took.
func TestHandshakesMemberSetGrowingKeepsCounts(t *testing.T) {
	members := &memberSources{}
	h := newHandshakes(1, members)
	c := from("127.0.0.5")
	ok, _ := h.add(c)
	require.True(t, ok)
	members.add(netip.MustParseAddr("127.0.0.5"))
	require.True(t, h.remove(c))
	ok, why := h.add(from("127.0.0.6"))
	assert.True(t, ok, "the non-member slot leaked: %s", why)
}

// 500 silent connections from one address hold at most its per-source
// share of handshake slots (the rest are refused at once), and a member
// calling from its own address meanwhile is served at once.
func TestStalledFloodDoesNotDelayAMember(t *testing.T) {
	r := newIdentityRig(t, "", func(c *Config) {
		c.HandshakeTimeout = 30 * time.Second // the flood stays pending for the whole test
		c.MaxPendingHandshakes = 64
	})
	var flood []net.Conn
	t.Cleanup(func() {
		for _, c := range flood {
			_ = c.Close()
		}
	})
	// One source, then many: 500 from 127.0.0.9 and 5 each from 100
	// other addresses, enough to fill the shared total.
	dial := func(src string) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err := d.Dial("tcp", r.lns[2].Addr().String())
		require.NoError(t, err)
		flood = append(flood, c)
	}
	for i := 0; i < 500; i++ {
		dial(impostorIP)
	}
	for i := 0; i < 500; i++ {
		dial(fmt.Sprintf("127.0.1.%d", i/5+1))
	}
	require.Eventually(t, func() bool {
		return r.rejected("too-many-handshakes") >= 1000-uint64(64)-handshakesPerSource
	}, 10*time.Second, 5*time.Millisecond)

	start := time.Now()
	real := r.claim("127.0.0.4", encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3,
		Addrs: []string{r.electionAddr("127.0.0.4", 3)}}))
	require.Eventually(t, func() bool {
		ps := r.peer(3)
		return ps.GetConnected() && ps.GetRemoteAddress() == real.LocalAddr().String()
	}, 5*time.Second, 5*time.Millisecond, "the member was not served")
	assert.Less(t, time.Since(start), 2*time.Second, "the member waited for the flood")
}
