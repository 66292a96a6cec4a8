package cnx

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A non-member source holds at most HandshakesPerSource slots, all of
// them together the total; a member's address has its own allowance
// outside the total; a released slot can be taken again.
func TestHandshakeLimits(t *testing.T) {
	h := NewHandshakeLimits(12)
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	member := netip.MustParseAddr("127.0.0.2")
	for range HandshakesPerSource {
		ok, _ := h.Admit(a, false)
		assert.True(t, ok)
	}
	ok, why := h.Admit(a, false)
	assert.False(t, ok, "per-source cap")
	assert.Contains(t, why, "10.0.0.1")
	for range 12 - HandshakesPerSource {
		ok, _ := h.Admit(b, false)
		assert.True(t, ok)
	}
	ok, why = h.Admit(b, false)
	assert.False(t, ok, "total cap")
	assert.Contains(t, why, "non-member addresses")
	for range HandshakesPerMemberSource {
		ok, _ := h.Admit(member, true)
		assert.True(t, ok, "members are outside the total")
	}
	ok, why = h.Admit(member, true)
	assert.False(t, ok, "member cap")
	assert.Contains(t, why, "member address")

	h.Release(a, false)
	assert.Equal(t, HandshakesPerSource-1, h.Pending(a))
	ok, _ = h.Admit(b, false)
	assert.True(t, ok, "a released slot counts against the total again")
	h.Release(member, true)
	ok, _ = h.Admit(b, false)
	assert.False(t, ok, "a member's release frees no shared slot")
	h.Reset()
	assert.Zero(t, h.Pending(a))
	ok, _ = h.Admit(a, false)
	assert.True(t, ok)
}

// A total below the per-source cap bounds each source too.
func TestHandshakeLimitsSmallTotal(t *testing.T) {
	h := NewHandshakeLimits(2)
	a := netip.MustParseAddr("10.0.0.1")
	for range 2 {
		ok, _ := h.Admit(a, false)
		assert.True(t, ok)
	}
	ok, _ := h.Admit(a, false)
	assert.False(t, ok)
}
