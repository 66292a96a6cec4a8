package netbridge

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
)

// BenchmarkBridgeInbound measures decoded notifications per second through
// one bridge over loopback TCP: frames of a real ZooKeeper 3.8 LEADING
// notification (186 bytes framed) in, NotificationReceived at the parent out.
func BenchmarkBridgeInbound(b *testing.B) {
	h := newBridgeHarness(b, nil)
	conn, peer := tcpPair(b)
	h.spawn(NewBridgeProps(conn, 2))
	frame := mustFrame(b, goldenBody(b, "gf-N6-frame-leading.hex"))
	const perWrite = 64
	batch := bytes.Repeat(frame, perWrite)

	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	written := make(chan error, 1)
	go func() {
		for left := b.N; left > 0; left -= perWrite {
			if _, err := peer.Write(batch[:min(left, perWrite)*len(frame)]); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}()
	for i := 0; i < b.N; i++ {
		expectBridgeMsg[*messages.NotificationReceived](b, h.parent)
	}
	b.StopTimer()
	require.NoError(b, <-written)
}

// BenchmarkBridgeOutboundRoundTrip measures one SendNotification (current
// 44+N form, a 3-server config) from request to FrameWritten, the way a
// SendWorker with one message in flight uses the bridge.
func BenchmarkBridgeOutboundRoundTrip(b *testing.B) {
	h := newBridgeHarness(b, nil)
	conn, peer := tcpPair(b)
	pid := h.spawn(NewBridgeProps(conn, 2))
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, peer) // until the bridge closes
	}()
	send := &messages.SendNotification{Sid: 2, Notification: &messages.Notification{
		State: messages.ServerState_LOOKING, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1,
		Version: 2, Config: []byte(javaConfig),
	}}

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := h.root.RequestFuture(pid, send, bridgeWait).Result()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	require.NoError(b, h.root.StopFuture(pid).Wait())
	<-drained
}
