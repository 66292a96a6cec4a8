package nodesim

import (
	"fmt"
	"sort"
	"time"
)

// The oracles below use plain counting over a History. They deliberately
// import nothing from fle, zab, quorum or cnx: a rule broken in those
// packages must not be able to break its own judge.

// Violation is one oracle's complaint.
type Violation struct {
	// Oracle is "a" to "e" (the lettering), or "p" (Zab phase
	// 1: a proposal above every acceptedEpoch the leader heard of, and
	// made current only with a quorum of promises).
	Oracle string
	// Detail says what was seen.
	Detail string
}

func (v Violation) String() string { return "oracle (" + v.Oracle + "): " + v.Detail }

// onDisk is what node's epoch file (currentEpoch if current, else
// acceptedEpoch) held just before the event numbered before: the last
// write of it that landed earlier, or the start disk's value. It reads the
// history only, never the simulated store.
func onDisk(h History, node int64, current bool, before int) int64 {
	return lastWrite(h, node, current, func(w Write) bool { return w.Seq < before })
}

// onDiskAt is onDisk at virtual time at (the writes of that instant
// included).
func onDiskAt(h History, node int64, current bool, at time.Duration) int64 {
	return lastWrite(h, node, current, func(w Write) bool { return w.At <= at })
}

// lastWrite is the value of node's epoch file after the writes that
// landed while done says so (History.Writes is in order), or the start
// disk's value.
func lastWrite(h History, node int64, current bool, done func(Write) bool) int64 {
	v := h.Start[node].AcceptedEpoch
	if current {
		v = h.Start[node].CurrentEpoch
	}
	for _, w := range h.Writes {
		if !done(w) {
			break
		}
		if w.Node == node && w.Current == current {
			v = w.Epoch
		}
	}
	return v
}

// Excused lists the voters (d) excused at the end: not following the
// leader because their acceptedEpoch (on disk, onDisk) is above its
// epoch. ZooKeeper's learner refuses a leader epoch below its accepted
// one, so such a node waits for the next election; (d) and (e) excuse it
// as long as the leader and its followers are a majority, and report it.
func Excused(h History) []int64 {
	cur := state(h, len(h.Changes))
	var l *Change
	for _, v := range h.Voters {
		if c, ok := cur[v]; ok && c.Role == Leading {
			c := c
			l = &c
		}
	}
	var out []int64
	for _, v := range members(h) {
		c := cur[v]
		if l != nil && v != l.Node && !(learnerRole(c.Role) && c.Leader == l.Node && c.Epoch == l.Epoch) && onDiskAt(h, v, false, h.End) > l.Epoch {
			out = append(out, v)
		}
	}
	return out
}

// Check runs every oracle and returns the violations and, when the
// ensemble settled after the last heal, how long after it that happened
// (-1 if it never did).
func Check(h History) ([]Violation, time.Duration) {
	var vs []Violation
	vs = append(vs, OneLeaderPerEpoch(h)...)
	vs = append(vs, EpochsBackedByQuorum(h)...)
	vs = append(vs, ProposalAboveAccepted(h)...)
	vs = append(vs, EpochAgreedByPromises(h)...)
	vs = append(vs, BestLeader(h)...)
	vs = append(vs, SettledAtEnd(h)...)
	settle, lv := Liveness(h)
	vs = append(vs, lv...)
	return vs, settle
}

// majority reports whether n of the voters is more than half of them.
func majority(n, voters int) bool { return 2*n > voters }

// isQuorum counts set among h's voters: a plain majority, or, for a
// hierarchical configuration (h.Weights), a majority of the groups of
// non-zero total weight, where a group has a majority when the weights of
// its members in set add up to more than half of its total. Both
// comparisons are doubled so no division rounds. Observers and unknown
// sids count nowhere.
func isQuorum(h History, set map[int64]bool) bool {
	if h.Weights == nil {
		n := 0
		for _, v := range h.Voters {
			if set[v] {
				n++
			}
		}
		return majority(n, len(h.Voters))
	}
	total, in := map[int64]int64{}, map[int64]int64{}
	for _, v := range h.Voters {
		g := h.Groups[v]
		total[g] += h.Weights[v]
		if set[v] {
			in[g] += h.Weights[v]
		}
	}
	groups, majorities := 0, 0
	for g, t := range total {
		if t == 0 {
			continue
		}
		groups++
		if 2*in[g] > t {
			majorities++
		}
	}
	return 2*majorities > groups
}

// members is the voters and then the observers.
func members(h History) []int64 { return append(append([]int64(nil), h.Voters...), h.Observers...) }

// learnerRole reports whether r is a learner's established role.
func learnerRole(r Role) bool { return r == Following || r == Observing }

// OneLeaderPerEpoch is oracle (a): over the whole run, no two distinct
// nodes are established LEADING in the same epoch.
func OneLeaderPerEpoch(h History) []Violation {
	var vs []Violation
	leader := map[int64]int64{}
	for _, c := range h.Changes {
		if c.Role != Leading {
			continue
		}
		if l, ok := leader[c.Epoch]; ok && l != c.Node {
			vs = append(vs, Violation{"a", fmt.Sprintf("at %v node %d leads epoch %d, which node %d already led", c.At, c.Node, c.Epoch, l)})
			continue
		}
		leader[c.Epoch] = c.Node
	}
	return vs
}

// EpochsBackedByQuorum is oracle (b): each node's established epochs
// strictly increase over the run (restarts included; the one exception is
// a follower rejoining the same leader in the same epoch), and a node is
// established LEADING or FOLLOWING in epoch e with leader L only after a
// quorum of the voters (L itself plus the learners whose NEWLEADER ack
// for e reached L, sent with e as their currentEpoch on disk)
// acknowledged e.
func EpochsBackedByQuorum(h History) []Violation {
	var vs []Violation
	last := map[int64]Change{}
	acked := map[[2]int64]map[int64]bool{} // (leader, epoch) -> learners
	ai := 0
	for _, c := range h.Changes {
		for ai < len(h.Acks) && h.Acks[ai].At <= c.At {
			a := h.Acks[ai]
			if onDisk(h, a.Learner, true, a.SentSeq) != a.Epoch {
				// Not an acknowledgement: the epoch was not on its disk.
				ai++
				continue
			}
			k := [2]int64{a.Leader, a.Epoch}
			if acked[k] == nil {
				acked[k] = map[int64]bool{}
			}
			acked[k][a.Learner] = true
			ai++
		}
		if c.Role != Leading && !learnerRole(c.Role) {
			continue
		}
		// A learner that rejoins the same leader in the same epoch (after
		// a reset or its own restart) re-establishes that epoch; anything
		// else must be a newer epoch.
		if prev, ok := last[c.Node]; ok && (c.Epoch < prev.Epoch ||
			(c.Epoch == prev.Epoch && (!learnerRole(c.Role) || c.Role != prev.Role || c.Leader != prev.Leader))) {
			vs = append(vs, Violation{"b", fmt.Sprintf("at %v node %d established %v epoch %d (leader %d) after %v epoch %d (leader %d)",
				c.At, c.Node, c.Role, c.Epoch, c.Leader, prev.Role, prev.Epoch, prev.Leader)})
		}
		last[c.Node] = c
		set := map[int64]bool{c.Leader: true}
		for v := range acked[[2]int64{c.Leader, c.Epoch}] {
			set[v] = true
		}
		if !isQuorum(h, set) {
			vs = append(vs, Violation{"b", fmt.Sprintf("at %v node %d is %v in epoch %d (leader %d) acknowledged only by %v (not a quorum of voters %v)",
				c.At, c.Node, c.Role, c.Epoch, c.Leader, sortedSet(set), h.Voters)})
		}
	}
	return vs
}

// state replays the changes up to and including time t.
func state(h History, upTo int) map[int64]Change {
	cur := map[int64]Change{}
	for _, c := range h.Changes[:upTo] {
		cur[c.Node] = c
	}
	return cur
}

// settled reports whether exactly one voter is LEADING, every other voter
// FOLLOWING it in its epoch and every observer OBSERVING it (cur: the
// roles at virtual time at), except members whose acceptedEpoch on disk
// at that moment is above the leader's epoch (onDiskAt) while the leader
// and its followers are a quorum.
func settled(h History, cur map[int64]Change, at time.Duration) (bool, string) {
	var leaders []Change
	for _, v := range h.Voters {
		if c, ok := cur[v]; ok && c.Role == Leading {
			leaders = append(leaders, c)
		}
	}
	if len(leaders) != 1 {
		return false, fmt.Sprintf("%d leaders", len(leaders))
	}
	l := leaders[0]
	in := map[int64]bool{l.Node: true}
	for _, v := range h.Voters {
		if c, ok := cur[v]; ok && v != l.Node && c.Role == Following && c.Leader == l.Node && c.Epoch == l.Epoch {
			in[v] = true
		}
	}
	observer := map[int64]bool{}
	for _, o := range h.Observers {
		observer[o] = true
	}
	for _, v := range members(h) {
		if v == l.Node {
			continue
		}
		want := Following
		if observer[v] {
			want = Observing
		}
		c, ok := cur[v]
		if !ok || c.Role != want || c.Leader != l.Node || c.Epoch != l.Epoch {
			if onDiskAt(h, v, false, at) > l.Epoch && isQuorum(h, in) {
				continue
			}
			role := Looking
			if ok {
				role = c.Role
			}
			return false, fmt.Sprintf("node %d is %v (leader %d epoch %d), not %v %d in epoch %d", v, role, c.Leader, c.Epoch, want, l.Node, l.Epoch)
		}
	}
	return true, ""
}

// sortedSet lists a set's members in order.
func sortedSet(set map[int64]bool) []int64 {
	var out []int64
	for v := range set {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// SettledAtEnd is oracle (d): when the run stops (all faults healed long
// before), exactly one node leads and all others follow it.
func SettledAtEnd(h History) []Violation {
	if ok, why := settled(h, state(h, len(h.Changes)), h.End); !ok {
		return []Violation{{"d", fmt.Sprintf("not settled at end %v: %s", h.End, why)}}
	}
	return nil
}

// Liveness is oracle (e): the ensemble is settled (as in (d)) at some
// moment within Bound after LastHeal. It returns how long after LastHeal
// that first happened, or -1. The moments judged are LastHeal and every
// role change or epoch write after it (a write can end (d)'s excuse of a
// node, or start it), each with everything of that instant applied.
func Liveness(h History) (time.Duration, []Violation) {
	moments := []time.Duration{h.LastHeal}
	for _, c := range h.Changes {
		if c.At > h.LastHeal {
			moments = append(moments, c.At)
		}
	}
	for _, w := range h.Writes {
		if w.At > h.LastHeal {
			moments = append(moments, w.At)
		}
	}
	sort.Slice(moments, func(i, j int) bool { return moments[i] < moments[j] })
	first := time.Duration(-1)
	for _, at := range moments {
		n := sort.Search(len(h.Changes), func(i int) bool { return h.Changes[i].At > at })
		if ok, _ := settled(h, state(h, n), at); ok {
			first = at - h.LastHeal
			break
		}
	}
	if first < 0 || first > h.Bound {
		return first, []Violation{{"e", fmt.Sprintf("no settled ensemble within %v of the last heal at %v (settled after %v)", h.Bound, h.LastHeal, first)}}
	}
	return first, nil
}

// ProposalAboveAccepted is oracle (p), Zab phase 1 as seen on the wire and
// disk: the epoch a leader session proposes (writes as its acceptedEpoch)
// is above its own acceptedEpoch at the session's start and above the
// acceptedEpoch of every FOLLOWERINFO/OBSERVERINFO that reached the
// session before it proposed: e' = max + 1, so that no server has
// promised the proposal to anyone else.
func ProposalAboveAccepted(h History) []Violation {
	var vs []Violation
	for _, p := range h.Proposals {
		for _, i := range h.Infos {
			if i.Session == p.Session && i.Seq < p.Seq && p.Epoch <= i.Accepted {
				vs = append(vs, Violation{"p", fmt.Sprintf("at %v node %d proposed epoch %d although node %d's acceptedEpoch %d had reached it at %v",
					p.At, p.Leader, p.Epoch, i.Learner, i.Accepted, i.At)})
			}
		}
	}
	return vs
}

// ahead reports whether a (of server aid) comes after b (of bid) in the
// election's order: currentEpoch first, then the zxid, then the sid.
func ahead(a Summary, aid int64, b Summary, bid int64) bool {
	if a.CurrentEpoch != b.CurrentEpoch {
		return a.CurrentEpoch > b.CurrentEpoch
	}
	if a.Zxid != b.Zxid {
		return a.Zxid > b.Zxid
	}
	return aid > bid
}

// BestLeader is oracle (c): in a clean run (History.Clean: simultaneous
// start, no loss, no crash, delays far below the finalize window) the
// first node established LEADING is the voter that is up with the
// greatest (currentEpoch, zxid, sid) of History.Start. A clean run with no
// leader at all is (e)'s business.
func BestLeader(h History) []Violation {
	if !h.Clean {
		return nil
	}
	up := map[int64]bool{}
	for _, c := range h.Changes {
		if c.Role == Leading {
			best, found := int64(0), false
			for _, v := range h.Voters {
				if h.Weights != nil && h.Weights[v] == 0 {
					continue // weight 0: never elected
				}
				if up[v] && (!found || ahead(h.Start[v], v, h.Start[best], best)) {
					best, found = v, true
				}
			}
			if c.Node != best {
				return []Violation{{"c", fmt.Sprintf("at %v the first leader is node %d %v, but node %d %v is the best voter up",
					c.At, c.Node, h.Start[c.Node], best, h.Start[best])}}
			}
			return nil
		}
		up[c.Node] = c.Role != Down
	}
	return nil
}

// EpochAgreedByPromises is the rest of oracle (p): a leader session makes
// its epoch its currentEpoch only once a quorum of voters (itself
// included) promised it: raised their acceptedEpoch on disk in answer to
// that session's LEADERINFO, with the ACKEPOCH saying so delivered before.
// A learner that had accepted the epoch already (ACKEPOCH -1) promised
// nothing to this session.
func EpochAgreedByPromises(h History) []Violation {
	var vs []Violation
	for _, cu := range h.Currents {
		set := map[int64]bool{cu.Leader: true}
		for _, pr := range h.Promises {
			if pr.Session == cu.Session && pr.Seq < cu.Seq {
				set[pr.Learner] = true
			}
		}
		if !isQuorum(h, set) {
			vs = append(vs, Violation{"p", fmt.Sprintf("at %v node %d made epoch %d current with promises from only %v (voters %v)",
				cu.At, cu.Leader, cu.Epoch, sortedSet(set), h.Voters)})
		}
	}
	return vs
}
