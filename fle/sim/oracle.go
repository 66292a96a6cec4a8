package sim

// The oracle's own arithmetic. The checks judge package fle's machines
// and package quorum's verifiers, so nothing here may call either: the
// order of votes and the quorum count are written out again from the
// members' fields (Member.Epoch, Zxid, ID, Observer, Group, Weight). A
// rule broken in fle or quorum (a predicate that skips the zxid, a
// majority that accepts half) then disagrees with these functions instead
// of moving with them.

// voteBeats reports whether member a is a better leader than b:
// (peerEpoch, zxid, sid) compared field by field, each strictly.
func voteBeats(a, b Member) bool {
	if a.Epoch != b.Epoch {
		return a.Epoch > b.Epoch
	}
	if a.Zxid != b.Zxid {
		return a.Zxid > b.Zxid
	}
	return a.ID > b.ID
}

// mayLead reports whether m can ever be elected: a voter with a trusted
// database (zxid -1 is an empty, untrusted one) and, in a hierarchical
// ensemble, a group and a positive weight (a zero-weight voter is never
// elected, ZOOKEEPER-491).
func mayLead(m Member, hierarchical bool) bool {
	if m.Observer || m.Zxid == -1 {
		return false
	}
	return !hierarchical || (m.Group != 0 && m.Weight > 0)
}

// bestVoter is the leader a clean election must pick: the greatest member
// that may lead, by voteBeats. It returns false when none may.
func bestVoter(ms []Member, hierarchical bool) (int64, bool) {
	var best Member
	found := false
	for _, m := range ms {
		if !mayLead(m, hierarchical) {
			continue
		}
		if !found || voteBeats(m, best) {
			best, found = m, true
		}
	}
	return best.ID, found
}

// isQuorum reports whether the sids in set form a quorum of ms, counted
// plainly. Majority: more than half of the voters (observers and unknown
// sids count nowhere). Hierarchical: a group has a majority when its
// members in set weigh more than half of the group's total weight, and
// the set is a quorum when more than half of the groups of non-zero
// total weight have a majority. Both comparisons are doubled so that no
// integer division can round a half up to a majority.
func isQuorum(ms []Member, hierarchical bool, set map[int64]bool) bool {
	if !hierarchical {
		voters, in := 0, 0
		for _, m := range ms {
			if m.Observer {
				continue
			}
			voters++
			if set[m.ID] {
				in++
			}
		}
		return 2*in > voters
	}
	total := map[int64]int64{}
	acked := map[int64]int64{}
	for _, m := range ms {
		if m.Observer || m.Group == 0 {
			continue
		}
		total[m.Group] += m.Weight
		if set[m.ID] {
			acked[m.Group] += m.Weight
		}
	}
	groups, majorities := 0, 0
	for g, w := range total {
		if w == 0 {
			continue
		}
		groups++
		if 2*acked[g] > w {
			majorities++
		}
	}
	return 2*majorities > groups
}
