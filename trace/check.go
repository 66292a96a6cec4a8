package trace

import (
	"fmt"
	"io"
)

// knownKind reports whether kind is one of the Kind constants.
func knownKind(kind string) bool {
	switch kind {
	case KindSend, KindRecv, KindDrop, KindTimer, KindFire, KindRound, KindDecide, KindRole:
		return true
	}
	return false
}

// Check reports why ev cannot be drawn, wrapping ErrBadTrace: an unknown
// kind, a missing sid or wall time, or a send, recv or drop without a peer.
func Check(ev Event) error {
	if p := problem(ev); p != "" {
		return fmt.Errorf("%w: %s", ErrBadTrace, p)
	}
	return nil
}

// problem says what is wrong with ev, or "".
func problem(ev Event) string {
	switch {
	case !knownKind(ev.Kind):
		return fmt.Sprintf("unknown kind %q", ev.Kind)
	case ev.Sid <= 0:
		return fmt.Sprintf("%s event with sid %d (want > 0)", ev.Kind, ev.Sid)
	case ev.Time.IsZero():
		return fmt.Sprintf("%s event of sid %d has no time", ev.Kind, ev.Sid)
	case (ev.Kind == KindSend || ev.Kind == KindRecv || ev.Kind == KindDrop) && ev.Peer <= 0:
		return fmt.Sprintf("%s event of sid %d with peer %d (want > 0)", ev.Kind, ev.Sid, ev.Peer)
	}
	return ""
}

// ReadChecked is Read that also Checks every event, so that a trace
// Render would refuse is refused here, with its line number.
func ReadChecked(r io.Reader) ([]Event, error) {
	return read(r, problem)
}
