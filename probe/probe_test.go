package probe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// configFor is a Java-style config string whose server.2 has the given
// election port.
func configFor(port int) string {
	return fmt.Sprintf("server.1=127.0.0.1:2001:3001:participant\nserver.2=127.0.0.1:2002:%d:participant\n"+
		"server.3=127.0.0.1:2003:3003:participant\nversion=0", port)
}

// The probe sends exactly the documented header and notification, and
// reports every field of the answer.
func TestProbeSendsNonVoterLookingAndDecodesAnswer(t *testing.T) {
	var port int
	f := newFakeServer(t, func(c net.Conn) {
		sendNotification(c, electionwire.Notification{State: zk.Following, Leader: 3,
			Zxid: 0x100000002, ElectionEpoch: 4, PeerEpoch: 1, Version: 2, Config: []byte(configFor(port))})
		waitClosed(c)
	})
	port = f.ln.Addr().(*net.TCPAddr).Port

	r, err := One(context.Background(), f.addr(), Options{Settle: -1})
	require.NoError(t, err)
	assert.Equal(t, &Reply{Addr: f.addr(), ServerID: 2, State: zk.Following, Leader: 3,
		Zxid: 0x100000002, ElectionEpoch: 4, PeerEpoch: 1, Version: 2, Config: configFor(port),
		ConfigVersion: 0, Frames: 1}, r)

	hdr, n, raw := f.received()
	assert.Equal(t, electionwire.ProtocolV1, hdr.Version)
	assert.Equal(t, DefaultSID, hdr.SID)
	require.Len(t, hdr.Addrs, 1)
	assert.Contains(t, hdr.Addrs[0], "127.0.0.1:")
	assert.Equal(t, electionwire.Notification{State: zk.Looking, Leader: DefaultSID,
		Zxid: math.MinInt64, ElectionEpoch: 0, PeerEpoch: math.MinInt64, Version: 2,
		Config: []byte("version=0"), Size: 44 + len("version=0")}, n)
	assert.Len(t, raw, 53)
}

// A server re-sends its last message to a sid on a new connection: the
// answer to an earlier probe comes first, the fresh one after it.
func TestProbeReportsTheLastAnswerWithinSettle(t *testing.T) {
	f := newFakeServer(t, func(c net.Conn) {
		sendNotification(c, electionwire.Notification{State: zk.Looking, Leader: 2, ElectionEpoch: 1, Version: 2, Config: []byte{}})
		sendNotification(c, electionwire.Notification{State: zk.Leading, Leader: 3, ElectionEpoch: 2, PeerEpoch: 1, Version: 2, Config: []byte{}})
		waitClosed(c)
	})
	r, err := One(context.Background(), f.addr(), Options{SID: 500, Settle: 2 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, 2, r.Frames)
	assert.Equal(t, zk.Leading, r.State)
	assert.Equal(t, int64(3), r.Leader)
	assert.Equal(t, int64(-1), r.ConfigVersion, "an empty config has no version")
	assert.Zero(t, r.ServerID)
	hdr, _, _ := f.received()
	assert.Equal(t, int64(500), hdr.SID)
}

// A legacy 40-byte answer (no config) decodes too.
func TestProbeAcceptsLegacyAnswer(t *testing.T) {
	f := newFakeServer(t, func(c net.Conn) {
		sendNotification(c, electionwire.Notification{State: zk.Leading, Leader: 7, Zxid: 5, ElectionEpoch: 3, PeerEpoch: 9, Version: 1})
	})
	r, err := One(context.Background(), f.addr(), Options{})
	require.NoError(t, err)
	assert.Equal(t, int64(9), r.PeerEpoch)
	assert.Equal(t, int32(0), r.Version, "3.8 reads a 40-byte body as version 0")
	assert.Equal(t, "", r.Config)
}

func TestProbeErrorsAreTypedPerAddress(t *testing.T) {
	closed := newFakeServer(t, nil)
	silent := newFakeServer(t, func(c net.Conn) { waitClosed(c) })
	garbage := newFakeServer(t, func(c net.Conn) {
		frame, _ := electionwire.AppendFrame(nil, []byte("not a notification"))
		_, _ = c.Write(frame)
		waitClosed(c)
	})
	hugeFrame := newFakeServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte{0x7f, 0xff, 0xff, 0xff})
		waitClosed(c)
	})
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		return ln.Addr().String()
	}()

	cases := []struct {
		addr    string
		want    error
		mention string
	}{
		{closed.addr(), ErrClosed, ""},
		{silent.addr(), ErrNoReply, "400ms"},
		{garbage.addr(), ErrMalformed, "18 bytes"},
		{hugeFrame.addr(), ErrMalformed, "2147483647"},
		{refused, ErrDial, ""},
		{"no-port-here", ErrBadAddress, "no-port-here"},
		{"127.0.0.1:99999", ErrBadAddress, "99999"},
	}
	addrs := make([]string, len(cases))
	for i, c := range cases {
		addrs[i] = c.addr
	}
	results, err := Probe(context.Background(), addrs, Options{Timeout: 400 * time.Millisecond})
	require.NoError(t, err)
	require.Len(t, results, len(cases))
	for i, c := range cases {
		r := results[i]
		assert.Equal(t, c.addr, r.Addr, "results keep the order given")
		assert.Nil(t, r.Reply)
		require.ErrorIsf(t, r.Err, c.want, "%s", c.addr)
		var ae *AddrError
		require.True(t, errors.As(r.Err, &ae))
		assert.Equal(t, c.addr, ae.Addr)
		assert.Contains(t, r.Err.Error(), c.addr)
		assert.Contains(t, r.Err.Error(), c.mention)
	}
}

func TestProbeRefusesUnusableSIDs(t *testing.T) {
	for _, sid := range []int64{-1, math.MaxInt64} {
		_, err := Probe(context.Background(), []string{"127.0.0.1:1"}, Options{SID: sid})
		require.ErrorIs(t, err, ErrBadSID)
		assert.Contains(t, err.Error(), fmt.Sprint(sid))
		_, err = One(context.Background(), "127.0.0.1:1", Options{SID: sid})
		assert.ErrorIs(t, err, ErrBadSID)
	}
}

// A cancelled context ends a probe that waits for an answer.
func TestProbeHonoursContext(t *testing.T) {
	asked := make(chan struct{})
	silent := newFakeServer(t, func(c net.Conn) {
		close(asked)
		waitClosed(c)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := One(ctx, silent.addr(), Options{Timeout: time.Minute})
		done <- err
	}()
	<-asked // the probe has sent its notification and waits
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrNoReply)
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(30 * time.Second):
		t.Fatal("probe ignored its cancelled context")
	}
}
