package fle

import (
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// TotalOrderPredicate is FastLeaderElection.totalOrderPredicate: it reports
// whether the vote (newID, newZxid, newEpoch) beats the vote (curID,
// curZxid, curEpoch), comparing (peer epoch, zxid, sid) lexicographically
// with a strict "greater" (the parenthesisation fixed by ZOOKEEPER-1419).
//
// A candidate whose weight in v is zero never wins (ZOOKEEPER-491/498: a
// zero-weight server must not be elected). Where Java's hierarchical
// verifier would throw a NullPointerException because newID has no weight
// entry (an observer or an unknown sid), v reports ok=false and the
// candidate does not win either, so no input makes this panic. A nil v
// weighs every sid 1, like a majority verifier.
func TotalOrderPredicate(v quorum.Verifier, newID int64, newZxid zk.Zxid, newEpoch, curID int64, curZxid zk.Zxid, curEpoch int64) bool {
	if v != nil {
		if w, ok := v.Weight(newID); !ok || w == 0 {
			return false
		}
	}
	if newEpoch != curEpoch {
		return newEpoch > curEpoch
	}
	if newZxid != curZxid {
		return newZxid > curZxid
	}
	return newID > curID
}
