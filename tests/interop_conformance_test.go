package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// (d) Conformance, from the bytes that really crossed the wire between
// zkfle nodes (sids 1, 2) and ZooKeeper servers (3, 4, 5) in a mixed cold
// start:
//   - ZooKeeper decodes our notifications to the values we sent: every
//     "Notification:" line a Java server logs for n.sid 1 or 2 is one we
//     sent it, and everything we sent on a connection that is still up
//     shows up in its log;
//   - our decoding of ZooKeeper's frames agrees with ZooKeeper: the last
//     LOOKING vote each Java server sent us is what the other Java servers
//     logged receiving from it, and its config string is byte-identical to
//     ours;
//   - no malformed-message or bad-connection complaint about our sids.
func TestInteropConformance(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1, 2}, []int64{3, 4, 5})
	m.startAll()
	leader, _ := m.javaRoles()
	require.Equal(t, leader, m.goE.waitAgreed(interopTimeout, 1, 2))
	ourConfig := m.goE.verifier.String()

	type link struct{ goSID, javaSID int64 }
	sentByGo := map[link]map[string]bool{} // javaText of each frame we sent
	mustLog := map[link]map[string]bool{}  // ... on connections still up
	lastJavaLooking := map[link]string{}   // javaText of the last LOOKING frame Java sent us
	for goSID, rec := range m.recorders {
		for _, c := range rec.connections() {
			in, out, alive := c.snapshot()
			if len(in) == 0 {
				continue // closed before the header
			}
			javaSID, fromJava, fromGo := decodeWire(t, in, out)
			if m.java.Server(javaSID) == nil {
				continue // zkfle 2's connection to zkfle 1
			}
			l := link{goSID, javaSID}
			if sentByGo[l] == nil {
				sentByGo[l], mustLog[l] = map[string]bool{}, map[string]bool{}
			}
			for _, n := range fromGo {
				assert.Equal(t, ourConfig, string(n.Config))
				sentByGo[l][javaText(goSID, n)] = true
				if alive {
					mustLog[l][javaText(goSID, n)] = true
				}
			}
			for _, n := range fromJava {
				assert.Equalf(t, ourConfig, string(n.Config), "Java server %d's config string is ours, byte for byte", javaSID)
				assert.Equal(t, int32(2), n.Version)
				if n.State == 0 {
					lastJavaLooking[l] = javaText(javaSID, n)
				}
			}
		}
	}
	require.NotEmpty(t, sentByGo, "ZooKeeper servers connected to the zkfle nodes")
	for _, goSID := range []int64{1, 2} {
		for _, javaSID := range m.java.SIDs() {
			require.NotEmptyf(t, sentByGo[link{goSID, javaSID}], "zkfle %d sent Java %d notifications", goSID, javaSID)
		}
	}

	// What each Java server logged from us was sent by us, and what we
	// sent on live connections was logged (the log is written
	// asynchronously: wait for it).
	for l, want := range mustLog {
		require.Truef(t, waitFor(interopTimeout, func() bool {
			logged := map[string]bool{}
			for _, line := range notificationLines(m.java.Server(l.javaSID).Log(), l.goSID) {
				logged[line] = true
			}
			for text := range want {
				if !logged[text] {
					return false
				}
			}
			return true
		}), "Java %d logs every notification zkfle %d sent it: %v", l.javaSID, l.goSID, want)
	}
	for l, sent := range sentByGo {
		lines := notificationLines(m.java.Server(l.javaSID).Log(), l.goSID)
		assert.NotEmpty(t, lines)
		for _, line := range lines {
			assert.Truef(t, sent[line], "Java %d logged %q, which zkfle %d never sent it (sent: %v)", l.javaSID, line, l.goSID, sent)
		}
	}

	// Our decoding of each Java server's last LOOKING vote matches what
	// another Java server printed on receiving it.
	require.NotEmpty(t, lastJavaLooking)
	for l, text := range lastJavaLooking {
		require.Truef(t, waitFor(interopTimeout, func() bool {
			for _, other := range m.java.SIDs() {
				if other == l.javaSID {
					continue
				}
				for _, line := range notificationLines(m.java.Server(other).Log(), l.javaSID) {
					if line == text {
						return true
					}
				}
			}
			return false
		}), "another Java server logged Java %d's vote as we decoded it: %s", l.javaSID, text)
	}

	for _, sid := range m.java.SIDs() {
		log := m.java.Server(sid).Log()
		for _, bad := range []string{
			"short response", "BufferUnderflow", "unrecognized protocol version", "Badly formed address",
			"Something went wrong while processing config", "Invalid server id", "Exception while reading",
			"our own ID", "Connection broken for id 1,", "Connection broken for id 2,",
		} {
			assert.Falsef(t, strings.Contains(log, bad), "Java server %d logged %q", sid, bad)
		}
	}
}
