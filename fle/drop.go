package fle

// Reasons recorded in Drop.Reason. They are stable strings so metrics and
// traces can group by them.
const (
	// DropNotStarted: a notification arrived before Start (or after Stop);
	// Java's messenger threads are not running then.
	DropNotStarted = "not started"
	// DropNewerConfig: while LOOKING, the sender's config has a greater
	// version than our committed one and differs from it. Java applies it
	// (if reconfig is enabled) and restarts its election, discarding the
	// notification; we apply no reconfig and do not restart, but discard
	// the notification the same way.
	DropNewerConfig = "newer config"
	// DropNonVoterSender: the sender is not a voter (an observer or an
	// unknown sid). It got a reply; its notification never reaches the
	// election.
	DropNonVoterSender = "sender not a voter"
	// DropUnknownState: a voter sent a state code outside 0..3.
	DropUnknownState = "unknown state"
	// DropNotLooking: neither we nor the sender are LOOKING; nothing to say.
	DropNotLooking = "neither looking"
	// DropLeaderNotVoter: the notification proposes or follows a sid that
	// is not a voter (ZOOKEEPER-2988).
	DropLeaderNotVoter = "leader not a voter"
	// DropOwnZxidUnknown: our own last logged zxid is -1 (untrusted empty
	// database), so we ignore every LOOKING notification, as lookForLeader does.
	DropOwnZxidUnknown = "own zxid -1"
	// DropZxidUnknown: a LOOKING notification carried zxid -1.
	DropZxidUnknown = "zxid -1"
	// DropOldRound: a LOOKING notification from an earlier round. The
	// receiver side already replied with our round.
	DropOldRound = "old round"
	// DropObserving: OBSERVING notifications play no part in the election.
	DropObserving = "observing sender"
	// DropNotBetter: during the finalize window a notification that does
	// not beat our proposal is consumed and discarded, as lookForLeader's finalize loop does.
	DropNotBetter = "not better during finalize"
)

func (o *Output) drop(from int64, reason string) {
	o.Dropped = append(o.Dropped, Drop{From: from, Reason: reason})
}
