package nodesim

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/cnx"
)

// TestTieBreakCloseIsNotReportedUnreachable drives ZooKeeper's tie-break
// through the simulator's wiring of the connection manager's verdicts
// (world.go: dial and closeElec). At a simultaneous start n3's link to n2
// is up while n2's call to n3 (header, then hang-up) is still on its way.
// n3 is then stopped (SIGSTOP) for longer than the redial interval, so it
// reads the call only when its link to n2 is older than a second: it ends
// that link and calls n2 back. n2 sees its live link from n3 close a
// moment after its own call. That close answers the call; n3 is alive,
// and n2's election must not hear "n3 unreachable" (the reachable fast
// path would then decide without the best voter: cnx/liveness.go).
//
// The seeds only choose latencies; a seed whose timing does not produce
// the sequence (n2's call must still be in flight when n3's link is up,
// and the close must reach n2 before the call-back) is skipped, and the
// test fails if too few seeds do.
func TestTieBreakCloseIsNotReportedUnreachable(t *testing.T) {
	const want = 5
	seen := 0
	for seed := uint64(1); seed <= 500 && seen < want; seed++ {
		w, err := NewWorld(Config{N: 3, Seed: seed, EmptyDisks: true, Clean: true})
		require.NoError(t, err)
		n2, n3 := w.nodes[2], w.nodes[3]

		var link cnx.Conn
		linkUpCallInFlight := func() bool {
			if n2.mgr == nil || n3.mgr == nil { // not booted yet
				return false
			}
			c3, _, ok3 := n3.mgr.Link(2)
			c2, _, ok2 := n2.mgr.Link(3)
			if ok3 && ok2 && c3 == c2 && n2.mgr.Dialing(3) {
				link = c3
				return true
			}
			return false
		}
		if !w.RunUntil(linkUpCallInFlight, 50*time.Millisecond) {
			continue
		}
		n3.pause()
		w.RunFor(1500 * time.Millisecond)
		require.False(t, n2.mgr.Dialing(3), "seed %d: n2's call reached n3 (kernel accept) and n2 hung up", seed)
		c, _, ok := n2.mgr.Link(3)
		require.True(t, ok && c == link, "seed %d: n2 still holds n3's link while n3 is stopped", seed)
		n3.resume()

		closedFirst := false
		require.True(t, w.RunUntil(func() bool {
			c, _, ok := n2.mgr.Link(3)
			closedFirst = !ok
			return !ok || c != link
		}, time.Second), "seed %d: n3 answered n2's call by ending its link\n%s", seed, strings.Join(w.heldTrace(), "\n"))
		if !closedFirst {
			continue // the call-back replaced the link before the close arrived
		}
		require.True(t, w.RunUntil(func() bool {
			c, _, ok := n2.mgr.Link(3)
			return ok && c != link
		}, time.Second), "seed %d: n3 called n2 back", seed)
		require.NoError(t, w.Err())
		require.Zero(t, w.unreachable[[2]int64{2, 3}],
			"seed %d: n2 took the tie-break close of n3's link as n3 being unreachable", seed)
		seen++
	}
	require.Equal(t, want, seen, "seeds that produced the tie-break close")
}
