package history

import (
	"sync"
	"time"

	"github.com/zkfle/zkfle/actors"
)

// Supervision is one actor failure or restart, as the admin endpoint shows
// it.
type Supervision struct {
	// At is when it happened.
	At time.Time `json:"at"`
	// Kind is the actor's role (actors.Kind).
	Kind string `json:"kind"`
	// Actor is the actor's path in the node's tree.
	Actor string `json:"actor"`
	// Restarted is false for the failure, true for the restart after it.
	Restarted bool `json:"restarted"`
	// Reason is the panic value (failures only).
	Reason string `json:"reason,omitempty"`
}

// eventRing keeps the last N supervision events.
type eventRing struct {
	mu   sync.Mutex
	cap  int
	buf  []Supervision
	next int
}

func newEventRing(capacity int) *eventRing { return &eventRing{cap: capacity} }

func (r *eventRing) add(ev Supervision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) < r.cap {
		r.buf = append(r.buf, ev)
		return
	}
	r.buf[r.next] = ev
	r.next = (r.next + 1) % r.cap
}

func (r *eventRing) list() []Supervision {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Supervision, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// Supervised records one of the node's supervision events.
func (r *Recorder) Supervised(ev actors.SupervisionEvent) {
	r.restarts.add(Supervision{At: ev.At, Kind: string(ev.Kind), Actor: ev.ID,
		Restarted: ev.Restarted, Reason: ev.Reason})
}

// RecentSupervision returns the last supervision events (as many as the
// recorder keeps elections), oldest first.
func (r *Recorder) RecentSupervision() []Supervision { return r.restarts.list() }
