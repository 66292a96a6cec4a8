package zab

import "github.com/zkfle/zkfle/netbridge/quorumwire"

// moreRecentThan is StateSummary.isMoreRecentThan: a has a higher current
// epoch than b, or the same epoch and a higher last zxid. A leader refuses
// a learner whose summary is more recent than its own. It is a session
// rule, not wire format, so it lives here and not beside EpochAck.
func moreRecentThan(a, b quorumwire.EpochAck) bool {
	return a.CurrentEpoch > b.CurrentEpoch || (a.CurrentEpoch == b.CurrentEpoch && a.LastZxid > b.LastZxid)
}
