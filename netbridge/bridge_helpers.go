package netbridge

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkfle/zkfle/messages"
)

// connHelpers is what both bridges' links share: the connection their
// reader and writer goroutines use, the shutdown that stops both without
// waiting on the peer, and the one way they report that the connection
// ended. Each link embeds one.
type connHelpers struct {
	conn         net.Conn
	writeTimeout time.Duration
	// failed delivers the link's end-of-connection report to its actor
	// (tagged with the link, so that the actor can drop a stale one).
	failed func(reason messages.CloseReason, detail string)

	done chan struct{} // closed by shutdown; stops the writer
	// closing is set before shutdown closes the conn, so that the errors
	// our own Close causes are not reported as the peer's doing.
	closing atomic.Bool
	once    sync.Once
	wg      sync.WaitGroup
}

func newConnHelpers(conn net.Conn, writeTimeout time.Duration) connHelpers {
	return connHelpers{conn: conn, writeTimeout: writeTimeout, done: make(chan struct{})}
}

// start launches the reader and the writer.
func (h *connHelpers) start(read, write func()) {
	h.wg.Add(2)
	go read()
	go write()
}

// shutdown closes the connection, which unblocks a pending Read or Write,
// stops the writer and waits for both goroutines. It is idempotent and
// returns within the time a Close takes, whatever the peer does.
func (h *connHelpers) shutdown() {
	h.once.Do(func() {
		h.closing.Store(true)
		close(h.done)
		_ = h.conn.Close()
	})
	h.wg.Wait()
}

// fail reports an error that ends the connection, unless the connection is
// being shut down by its owner (then the error is our own Close's echo).
func (h *connHelpers) fail(reason messages.CloseReason, detail string) {
	if h.closing.Load() {
		return
	}
	h.failed(reason, detail)
}

// recoverHelper turns a panic in a helper goroutine into a reported
// INTERNAL_ERROR: nothing escapes to crash the process.
func (h *connHelpers) recoverHelper(which string) {
	if r := recover(); r != nil {
		h.fail(messages.CloseReason_INTERNAL_ERROR, fmt.Sprintf("bridge %s panicked: %v", which, r))
	}
}

// write writes b in one Write bounded by the write timeout. On an error it
// reports the connection's end (WRITE_TIMEOUT or WRITE_ERROR) and returns
// false: the writer stops.
func (h *connHelpers) write(b []byte) bool {
	if err := h.conn.SetWriteDeadline(time.Now().Add(h.writeTimeout)); err != nil {
		h.fail(writeFailure(err, h.writeTimeout))
		return false
	}
	if _, err := h.conn.Write(b); err != nil {
		h.fail(writeFailure(err, h.writeTimeout))
		return false
	}
	return true
}
