package actors

import (
	"net"
	"sync"
	"time"
)

// listenerSet holds the listeners one Listener incarnation serves. The
// bind goroutine adds to it while the actor may be stopping, hence the
// lock.
type listenerSet struct {
	mu     sync.Mutex
	closed bool
	items  []listenerItem
}

type listenerItem struct {
	ln  net.Listener
	own bool
}

// add registers ln; it reports false (and closes an owned ln) if the set
// was already shut down.
func (s *listenerSet) add(ln net.Listener, own bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		if own {
			_ = ln.Close()
		}
		return false
	}
	s.items = append(s.items, listenerItem{ln: ln, own: own})
	return true
}

// shutdown closes the listeners we bound. Listeners the caller handed in
// stay open (the node closes them when it stops): their accept loops are
// woken with a deadline, so a restarted Listener, or one re-spawned by a
// restarted parent, can serve them again.
func (s *listenerSet) shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, it := range s.items {
		if it.own {
			_ = it.ln.Close()
			continue
		}
		wakeAccept(it.ln)
	}
}

// deadliner is implemented by *net.TCPListener and *net.UnixListener.
type deadliner interface{ SetDeadline(time.Time) error }

// wakeAccept makes a blocked Accept return a timeout error without
// closing the listener.
func wakeAccept(ln net.Listener) {
	if d, ok := ln.(deadliner); ok {
		_ = d.SetDeadline(time.Unix(1, 0))
		return
	}
	_ = ln.Close() // cannot wake it otherwise
}

func clearDeadline(ln net.Listener) {
	if d, ok := ln.(deadliner); ok {
		_ = d.SetDeadline(time.Time{})
	}
}
