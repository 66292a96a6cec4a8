package zab

import (
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/quorum"
)

// NewLeaderConfig returns the data of NEWLEADER: the text of the leader's
// last-seen quorum verifier (Leader.getQuorumVerifierBytes), which is the
// committed one unless a reconfiguration is pending. lastSeen may be nil.
//
// With reconfigEnabled, a leader whose committed and last-seen configs
// both have version 0 first gives its last-seen config the version
// makeZxid(epoch, 0) (ZOOKEEPER-1783); with reconfig disabled (the
// default) QuorumPeer.setLastSeenQuorumVerifier ignores that, and the text
// keeps "version=0", as the capture shows.
func NewLeaderConfig(committed, lastSeen quorum.Verifier, reconfigEnabled bool, epoch int64) []byte {
	if lastSeen == nil {
		lastSeen = committed
	}
	text := lastSeen.String()
	if reconfigEnabled && committed.Version() == 0 && lastSeen.Version() == 0 {
		text = withVersionLine(text, firstZxid(epoch))
	}
	return []byte(text)
}

// withVersionLine replaces the "version=<hex>" line Java's
// QuorumVerifier.toString() always ends with.
func withVersionLine(text string, version int64) string {
	i := strings.LastIndex(text, "version=")
	if i < 0 {
		return text
	}
	return text[:i] + "version=" + strconv.FormatUint(uint64(version), 16)
}
