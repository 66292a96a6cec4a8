package zkjava

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSrvrCapturedAnswers(t *testing.T) {
	leader, err := os.ReadFile("../../fourletter/testdata/zk38/leader-srvr.txt")
	require.NoError(t, err)
	info, err := ParseSrvr(string(leader))
	require.NoError(t, err)
	assert.Equal(t, "leader", info.Mode)
	assert.Equal(t, int64(0x100000000), info.Zxid)

	looking, err := os.ReadFile("../../fourletter/testdata/zk38/looking-srvr.txt")
	require.NoError(t, err)
	_, err = ParseSrvr(string(looking))
	assert.ErrorIs(t, err, ErrNotServing)

	_, err = ParseSrvr("Mode: leader\nZxid: 0xZZ\n")
	require.ErrorIs(t, err, ErrBadAnswer)
	assert.Contains(t, err.Error(), "Mode: leader")
}

// Srvr speaks the four-letter-word protocol: send the word, read until
// the server closes.
func TestSrvrOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		buf := make([]byte, 4)
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		n, _ := c.Read(buf)
		got <- string(buf[:n])
		_, _ = c.Write([]byte("Zxid: 0x200000003\nMode: follower\n"))
	}()
	info, err := Srvr(ln.Addr().String(), 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "srvr", <-got)
	assert.Equal(t, "follower", info.Mode)
	assert.Equal(t, int64(0x200000003), info.Zxid)

	ln.Close()
	_, err = Srvr(ln.Addr().String(), time.Second)
	assert.Error(t, err, "nothing listens any more")
}
