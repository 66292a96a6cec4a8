package actors

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// dialFromIP opens a connection to addr from the loopback address ip.
func dialFromIP(t *testing.T, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}
