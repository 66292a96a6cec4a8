package cnx

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ms is t0 plus n milliseconds.
func ms(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

// The close of the link a larger sid ends in answer to our call (the
// tie-break) is no verdict, whichever of our hang-up and the link's
// adoption came first; the call-back's link is live, and its close is a
// verdict again (one call ends one link).
func TestTieBreakCloseIsNoVerdict(t *testing.T) {
	for _, tc := range []struct {
		name string
		// start leaves sid 3's link on conn 5 live and our call made.
		start func(m *Manager[string])
	}{
		{"our call, then the link it ends", func(m *Manager[string]) {
			// A simultaneous start as it usually goes: 3 adopts its own
			// dial before our header reaches it, we hang up before its
			// header reaches us.
			m.Dialed(3, DialHungUp, 0, ms(1))
			m.Accepted(from(3, 5, 1), ms(2))
		}},
		{"the link, then our call", func(m *Manager[string]) {
			m.Accepted(from(3, 5, 1), ms(1))
			m.Dialed(3, DialHungUp, 0, ms(2))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newManager(t)
			require.Equal(t, []int64{3}, m.Send(3, "v").Dials)
			tc.start(m)
			_, gone := m.Closed(3, 5, ms(3))
			assert.False(t, gone, "3 ended the link to call us back: it is alive")

			m.Accepted(from(3, 6, 2), ms(4)) // the call-back
			_, gone = m.Closed(3, 6, ms(50))
			assert.True(t, gone, "the call was spent on the first close")
		})
	}
}

// A close while our dial to the peer is in flight is no verdict: the
// dial's end is (the driver reports a failure; a hang-up shows the peer
// alive). That dial's call is spent by the close, so the next close is a
// verdict.
func TestCloseDuringDialWaitsForTheDial(t *testing.T) {
	for _, outcome := range []DialOutcome{DialHungUp, DialFailed} {
		m := newManager(t)
		m.Send(3, "v")
		m.Accepted(from(3, 5, 1), ms(1))
		_, gone := m.Closed(3, 5, ms(2))
		assert.False(t, gone, "outcome %d: the dial in flight decides", outcome)
		m.Dialed(3, outcome, 0, ms(3))

		m.Accepted(from(3, 6, 2), ms(4))
		_, gone = m.Closed(3, 6, ms(5))
		assert.True(t, gone, "outcome %d: the dial's call was spent on the close during it", outcome)
	}
}

// Without a call of ours, the close of a live link is a verdict: a larger
// sid's link, a smaller sid's (we never call those), a call older than
// CallWindow, and every close after a Restart (calls belong to one
// incarnation). A replaced connection's close is none: the peer is on
// its newer link.
func TestCloseVerdicts(t *testing.T) {
	m := newManager(t)
	m.Accepted(from(3, 5, 1), ms(0))
	_, gone := m.Closed(3, 5, ms(1))
	assert.True(t, gone, "no call: 3 is gone")

	m.ConnectOne(1)
	m.Dialed(1, DialConnected, 6, ms(2))
	_, gone = m.Closed(1, 6, ms(3))
	assert.True(t, gone, "our own link to a smaller sid")

	m = newManager(t, func(c *Config) { c.CallWindow = time.Second })
	m.ConnectOne(3)
	m.Dialed(3, DialHungUp, 0, ms(0))
	m.Accepted(from(3, 5, 1), ms(1))
	_, gone = m.Closed(3, 5, ms(1000))
	assert.True(t, gone, "the call is CallWindow old")

	m.ConnectOne(3)
	m.Dialed(3, DialHungUp, 0, ms(1001))
	// The restart reconnects every peer it has a queue for (3's link made
	// one); that dial fails, so no dial in flight judges the close.
	require.Equal(t, []int64{3}, m.Restart().Dials)
	m.Dialed(3, DialFailed, 0, ms(1002))
	m.Accepted(from(3, 7, 2), ms(1002))
	_, gone = m.Closed(3, 7, ms(1003))
	assert.True(t, gone, "a call of the previous incarnation explains nothing")

	m.Accepted(from(3, 8, 3), ms(1004))
	m.Accepted(from(3, 9, 4), ms(1005))
	_, gone = m.Closed(3, 8, ms(1006))
	assert.False(t, gone, "replaced: 3 is on its newer link")
}

// CallWindow defaults to ZooKeeper's header read timeout for the sample
// zoo.cfg.
func TestCallWindowDefault(t *testing.T) {
	m := newManager(t)
	m.ConnectOne(3)
	m.Dialed(3, DialHungUp, 0, t0)
	m.Accepted(from(3, 5, 1), t0)
	_, gone := m.Closed(3, 5, t0.Add(DefaultCallWindow-time.Millisecond))
	assert.False(t, gone)
}
