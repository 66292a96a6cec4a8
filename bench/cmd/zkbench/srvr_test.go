package main

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSrvrMode(t *testing.T) {
	assert.Equal(t, "follower", parseSrvrMode([]byte("Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n")))
	assert.Equal(t, modeNotServing, parseSrvrMode([]byte("This ZooKeeper instance is not currently serving requests\n")))
	assert.Equal(t, modeDown, parseSrvrMode(nil))
}

// A one-shot four-letter-word server on loopback that answers like a leader.
func TestQuerySrvrAgainstLoopbackServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		buf := make([]byte, 4)
		_, err = c.Read(buf)
		got <- string(buf)
		if err == nil {
			_, _ = c.Write([]byte("Zookeeper version: x\nMode: leader\n"))
		}
	}()
	assert.Equal(t, "leader", querySrvr(l.Addr().String()))
	assert.Equal(t, "srvr", <-got)

	addr := l.Addr().String()
	require.NoError(t, l.Close())
	assert.Equal(t, modeDown, querySrvr(addr), "nothing listens any more")
}
