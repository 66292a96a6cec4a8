package tests

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// An impostor that may speak for an absent member (here from the same
// address, so the source check cannot tell it apart) streams not-better
// votes at the candidate every finalizeWait/4. Java's finalize loop
// restarts its poll on every notification it consumes, so the candidate
// would never decide while the stream lasts; zkfle's window closes
// finalizeWait after it opened, and the candidate leads at once.
func TestFinalizeWindowStallOverTCP(t *testing.T) {
	checkLeaks(t)
	absent := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ms := []member{{sid: 1}, {sid: 2}, {sid: 3}, {sid: 4, dead: fmt.Sprintf("127.0.0.1:%d", freePort(t))}, {sid: 5, dead: absent}}
	e := newEnsemble(t, ms, nil)
	finalize := e.config(3).Election.FinalizeWait
	e.start(3)

	// Claim sid 5 (above every member: its connection is the one kept),
	// advertising sid 5's own election address.
	conn, err := net.Dial("tcp", e.electionAddr(3))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = conn.Write(v1(5, absent))
	require.NoError(t, err)

	// The candidate sends its votes to sid 5 over this connection: read
	// them to learn its round.
	var round atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fr := electionwire.NewFrameReader(conn)
		for {
			body, err := fr.Next()
			if err != nil {
				return
			}
			var n electionwire.Notification
			if electionwire.DecodeNotification(body, &n) == nil && n.ElectionEpoch > round.Load() {
				round.Store(n.ElectionEpoch)
			}
		}
	}()
	require.True(t, waitFor(5*time.Second, func() bool { return round.Load() > 0 }), "the candidate never sent its vote to sid 5")

	// A vote for sid 1: never better than the candidate's own (same epoch
	// and zxid, lower sid), so it can only delay, never change, the result.
	stop := make(chan struct{})
	var sent atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(finalize / 4)
		defer tick.Stop()
		for {
			b, err := electionwire.AppendNotificationFrame(nil, &electionwire.Notification{
				State: zk.Looking, Leader: 1, ElectionEpoch: round.Load()})
			if err != nil {
				return
			}
			_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := conn.Write(b); err != nil {
				return
			}
			sent.Add(1)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		_ = conn.Close()
		wg.Wait()
	})

	start := time.Now()
	e.start(1, 2)
	// The stream goes on for the whole wait. Under Java's rule the
	// candidate would still be LOOKING at the deadline; under ours it
	// decides finalizeWait after the others' votes arrive, then the
	// session establishes (a few ticks at most).
	bound := 10 * finalize
	led := waitFor(bound+5*time.Second, func() bool {
		st, ok := e.decided(3)
		return ok && st.GetNewState() == messages.ServerState_LEADING
	})
	took := time.Since(start)
	require.True(t, led, "server 3 did not lead within %v while %d not-better votes arrived", bound+5*time.Second, sent.Load())
	require.Greater(t, sent.Load(), int64(2), "the stream must have run while the window was open")
	t.Logf("server 3 leads %v after its voters started; %d stalling votes sent", took, sent.Load())
}
