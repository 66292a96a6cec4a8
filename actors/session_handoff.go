package actors

import (
	"net"
	"sync"
)

// handoff tracks sockets a helper goroutine (an accept loop, a dial) has
// sent to its actor but the actor has not adopted yet. An actor that stops
// with such a message still in its mailbox never reads it; closing what
// is left here keeps those sockets from leaking.
type handoff struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// add records a socket about to be sent to the actor.
func (h *handoff) add(c net.Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns == nil {
		h.conns = map[net.Conn]struct{}{}
	}
	h.conns[c] = struct{}{}
}

// take removes a socket the actor received; false if it was already
// closed by closeAll.
func (h *handoff) take(c net.Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.conns[c]
	delete(h.conns, c)
	return ok
}

// closeAll closes every socket not taken yet.
func (h *handoff) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		_ = c.Close()
	}
	h.conns = nil
}
