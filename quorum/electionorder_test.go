package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The order is Java's ConcurrentHashMap's, computed by hand:
// InetSocketAddress.hashCode is the IPv4 address as an int plus the port,
// spread by h ^ h>>>16, bucket = spread & 15 in a 16-bucket table.
func TestElectionAddrOrderIsJavas(t *testing.T) {
	// 127.0.0.1:3890 -> 0x7f000f33 -> bucket 3; 127.0.0.2:3888 ->
	// 0x7f000f32 -> bucket 2: Java iterates the second address first.
	s := Server{ID: 1, Addrs: []AddrPair{
		{Host: "127.0.0.1", QuorumPort: 2888, ElectionPort: 3890},
		{Host: "127.0.0.2", QuorumPort: 2889, ElectionPort: 3888},
	}}
	assert.Equal(t, []int{1, 0}, ElectionAddrOrder(s))

	// 127.0.0.1:3888 -> bucket 1; 127.0.1.1:3889 -> bucket 2: line order.
	s.Addrs = []AddrPair{
		{Host: "127.0.0.1", QuorumPort: 2888, ElectionPort: 3888},
		{Host: "127.0.1.1", QuorumPort: 2889, ElectionPort: 3889},
	}
	assert.Equal(t, []int{0, 1}, ElectionAddrOrder(s))

	// One address, none, or a bad host: line order.
	assert.Equal(t, []int{0}, ElectionAddrOrder(Server{Addrs: s.Addrs[:1]}))
	assert.Empty(t, ElectionAddrOrder(Server{}))
	s.Addrs[1].Host = "bad host!"
	assert.Equal(t, []int{0, 1}, ElectionAddrOrder(s))
}
