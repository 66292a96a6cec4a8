package tests

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// checkLeaks verifies, after everything else the test registered has been
// cleaned up (nodes stopped), that no goroutine the test started is left.
// Call it first in a test: cleanups run last-registered first.
func checkLeaks(t *testing.T) {
	t.Helper()
	opts := []goleak.Option{
		goleak.IgnoreCurrent(),
		// protoactor's dead-letter log throttle sleeps for its interval in
		// a goroutine of its own (protoactor's dead-letter throttle); it ends by itself.
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"),
	}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

// blackhole returns a loopback address whose SYNs go unanswered: a socket
// listening with a full accept queue that nobody accepts from. Connecting
// to it hangs until the caller's connect timeout, like a peer whose host
// vanished, without leaving 127.0.0.0/8.
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}).String()
	// Fill the accept queue (backlog 0 admits one, plus slack): after
	// this, the kernel drops further SYNs instead of completing them.
	for i := 0; i < 4; i++ {
		c, err := net.DialTimeout("tcp", addr, 200_000_000)
		if err != nil {
			break
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	return addr
}
