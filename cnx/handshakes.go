package cnx

import (
	"fmt"
	"net/netip"
)

// Per-source bounds on pending handshakes (HandshakeLimits).
const (
	// HandshakesPerSource is how many pending handshakes one address
	// that is not a member's may hold (and never more than the total).
	HandshakesPerSource = 8
	// HandshakesPerMemberSource is how many a member's address may hold.
	// Members open one or two connections to us at a time; the larger
	// allowance is for ensembles whose members share one address.
	HandshakesPerMemberSource = 32
)

// HandshakeLimits is the Listener's admission rule for inbound
// connections whose initial message has not arrived yet (a zkfle
// addition: ZooKeeper reads them one at a time). A source that is not a
// configured member's address may hold HandshakesPerSource of them, and
// all such sources together the total given to NewHandshakeLimits. A
// member's address has its own allowance outside that total: a flood from
// elsewhere can fill the shared slots but never keeps a (restarted)
// member from being heard.
//
// It only counts; the driver remembers each admitted connection's source
// and member flag and hands them back to Release. Not safe for concurrent
// use.
type HandshakeLimits struct {
	max    int
	bySrc  map[netip.Addr]int
	others int
}

// NewHandshakeLimits returns limits with room for total pending
// handshakes from non-member sources.
func NewHandshakeLimits(total int) *HandshakeLimits {
	return &HandshakeLimits{max: total, bySrc: map[netip.Addr]int{}}
}

// Admit takes a slot for a handshake from src (member: src is a
// configured member's address), or says why not: the detail of a
// "too-many-handshakes" refusal.
func (h *HandshakeLimits) Admit(src netip.Addr, member bool) (bool, string) {
	if member {
		if h.bySrc[src] >= HandshakesPerMemberSource {
			return false, fmt.Sprintf("%d handshakes already pending from member address %s", h.bySrc[src], src)
		}
	} else {
		if h.bySrc[src] >= min(HandshakesPerSource, h.max) {
			return false, fmt.Sprintf("%d handshakes already pending from %s", h.bySrc[src], src)
		}
		if h.others >= h.max {
			return false, fmt.Sprintf("%d handshakes already pending from non-member addresses", h.others)
		}
		h.others++
	}
	h.bySrc[src]++
	return true, ""
}

// Release gives back the slot Admit took for src with the same member
// flag (the member set can grow while a handshake is pending: the flag
// given to Admit is the one that counts).
func (h *HandshakeLimits) Release(src netip.Addr, member bool) {
	if h.bySrc[src] <= 1 {
		delete(h.bySrc, src)
	} else {
		h.bySrc[src]--
	}
	if !member {
		h.others--
	}
}

// Reset gives back every slot.
func (h *HandshakeLimits) Reset() {
	clear(h.bySrc)
	h.others = 0
}

// Pending returns how many handshakes from src hold a slot.
func (h *HandshakeLimits) Pending(src netip.Addr) int { return h.bySrc[src] }
