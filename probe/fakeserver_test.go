package probe

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// fakeServer accepts one election connection, reads the header and one
// notification, and then does what the test scripted.
type fakeServer struct {
	ln     net.Listener
	mu     sync.Mutex
	header electionwire.InitialMessage
	got    electionwire.Notification
	raw    []byte // the notification body as received
	done   chan struct{}
}

// newFakeServer serves one connection with script, which runs after the
// probe's notification has been read. A nil script closes at once.
func newFakeServer(t *testing.T, script func(c net.Conn)) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return newFakeServerOn(t, ln, script)
}

// newFakeServerOn is newFakeServer on a given listener (a TLS one, say).
func newFakeServerOn(t *testing.T, ln net.Listener, script func(c net.Conn)) *fakeServer {
	t.Helper()
	f := &fakeServer{ln: ln, done: make(chan struct{})}
	t.Cleanup(func() {
		_ = ln.Close()
		<-f.done
	})
	go func() {
		defer close(f.done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		hdr, err := electionwire.ReadInitialMessage(c)
		if err != nil {
			return
		}
		body, err := electionwire.NewFrameReader(c).Next()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.header = hdr
		f.raw = append([]byte(nil), body...)
		_ = electionwire.DecodeNotification(body, &f.got)
		f.mu.Unlock()
		if script != nil {
			script(c)
		}
	}()
	return f
}

func (f *fakeServer) addr() string { return f.ln.Addr().String() }

// received waits until the connection is over and returns what came in.
func (f *fakeServer) received() (electionwire.InitialMessage, electionwire.Notification, []byte) {
	<-f.done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.header, f.got, f.raw
}

// sendNotification writes n as a frame.
func sendNotification(c net.Conn, n electionwire.Notification) {
	frame, err := electionwire.AppendNotificationFrame(nil, &n)
	if err != nil {
		panic(err) // test bug: the notifications here are small
	}
	_, _ = c.Write(frame)
}

// waitClosed blocks until the peer closes c (or the deadline set on it).
func waitClosed(c net.Conn) {
	buf := make([]byte, 64)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}
