package quorum

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Hierarchical is ZooKeeper's QuorumHierarchical: participants are split
// into groups and carry weights. A group "has a majority" when the
// weights of its acknowledging participants add up to more than half its
// total weight; a quorum is a majority of the groups whose total weight is
// not zero.
type Hierarchical struct {
	membership

	// The three maps of QuorumHierarchical, which equals compares.
	groupOf     map[int64]int64 // serverGroup: sid -> gid
	weight      map[int64]int64 // serverWeight: given weights, plus 1 for unweighted participants
	groupWeight map[int64]int64 // gid -> sum of its sids' weights
	numGroups   int             // groups whose weight is not zero

	groups Groups // gid -> sids, ascending (a copy for Groups())

	// The order Java put keys into serverGroup and serverWeight, which
	// decides toString's order among keys sharing a HashMap bucket.
	groupPuts  []int64
	weightPuts []int64

	// voterSlot maps a voting sid that has a group to its group's index in
	// slotWeight, so ContainsQuorum does no map work per group.
	voterSlot  map[int64]int
	slotWeight []int64

	text string
}

var _ Verifier = (*Hierarchical)(nil)

// NewHierarchical builds a hierarchical verifier, with the rules of
// QuorumHierarchical's parser:
//   - every participant must be in exactly one group (ErrNoGroup,
//     ErrMultipleGroups), and a group must not be empty (ErrEmptyGroup);
//   - a participant without a weight gets weight 1; observers and sids
//     that are not members get none, unless weights gives one;
//   - a grouped sid with no weight is an error (ErrNoWeight; Java throws a
//     NullPointerException);
//   - weight 0 means never elected, and a group of total weight 0 does not
//     count towards the number of groups.
//
// Groups may list sids that are not members, and weights may name any
// sid; both are kept and printed, as in Java. Negative weights are
// accepted, as Java accepts them. Servers are validated as in NewMajority.
//
// Order only matters for String(), where keys that share a Java HashMap
// bucket print in the order Java put them: servers in slice order, each
// group's sids in slice order, groups by ascending gid and given weights
// by ascending sid. (ParseConfig uses the order of its input instead.)
func NewHierarchical(servers []Server, groups Groups, weights Weights, version int64) (*Hierarchical, error) {
	ms, err := newMembership(servers, version)
	if err != nil {
		return nil, err
	}
	return newHierarchical(ms, hierarchy{
		groups:      groups,
		groupOrder:  slices.Sorted(maps.Keys(groups)),
		weights:     weights,
		weightOrder: slices.Sorted(maps.Keys(weights)),
	})
}

// hierarchy is the group and weight part of a hierarchical config, with
// the order Java met the group and weight keys in.
type hierarchy struct {
	groups      Groups
	groupOrder  []int64 // every gid of groups once
	weights     Weights
	weightOrder []int64 // every sid of weights once
}

func newHierarchical(ms membership, spec hierarchy) (*Hierarchical, error) {
	h := &Hierarchical{
		membership:  ms,
		groupOf:     make(map[int64]int64),
		weight:      make(map[int64]int64, len(spec.weights)),
		groupWeight: make(map[int64]int64, len(spec.groups)),
		groups:      make(Groups, len(spec.groups)),
		voterSlot:   make(map[int64]int),
	}
	if err := h.assignGroups(spec.groups, spec.groupOrder); err != nil {
		return nil, err
	}
	// serverWeight gets the given weights first, then 1 for each
	// participant without one, in allMembers' iteration order.
	for _, sid := range spec.weightOrder {
		h.weight[sid] = spec.weights[sid]
		h.weightPuts = append(h.weightPuts, sid)
	}
	for _, id := range javaHashMapOrder(h.putOrder) {
		if !h.IsVoter(id) {
			continue
		}
		if _, ok := h.groupOf[id]; !ok {
			return nil, wrapf(ErrNoGroup, "participant %d is in no group", id)
		}
		if _, ok := h.weight[id]; !ok {
			h.weight[id] = 1
			h.weightPuts = append(h.weightPuts, id)
		}
	}
	if err := h.weighGroups(); err != nil {
		return nil, err
	}
	h.text = h.javaString()
	return h, nil
}

// assignGroups fills groupOf, groupPuts and groups, walking the groups in
// the order Java met their keys.
func (h *Hierarchical) assignGroups(groups Groups, order []int64) error {
	for _, gid := range order {
		sids := groups[gid]
		if len(sids) == 0 {
			return wrapf(ErrEmptyGroup, "group %d has no sids", gid)
		}
		for _, sid := range sids {
			if prev, dup := h.groupOf[sid]; dup {
				return wrapf(ErrMultipleGroups, "sid %d is in group %d and group %d", sid, prev, gid)
			}
			h.groupOf[sid] = gid
			h.groupPuts = append(h.groupPuts, sid)
		}
		h.groups[gid] = slices.Sorted(slices.Values(sids))
	}
	return nil
}

// weighGroups computes the group weights, the number of groups that
// count, and the per-voter lookup ContainsQuorum uses.
func (h *Hierarchical) weighGroups() error {
	gids := slices.Sorted(maps.Keys(h.groups))
	slot := make(map[int64]int, len(gids))
	for i, gid := range gids {
		slot[gid] = i
		var sum int64
		for _, sid := range h.groups[gid] {
			w, ok := h.weight[sid]
			if !ok {
				return wrapf(ErrNoWeight, "sid %d of group %d is not a participant and has no weight", sid, gid)
			}
			sum += w
		}
		h.groupWeight[gid] = sum
		h.slotWeight = append(h.slotWeight, sum)
		if sum != 0 {
			h.numGroups++
		}
	}
	for _, id := range h.voters {
		h.voterSlot[id] = slot[h.groupOf[id]]
	}
	return nil
}

// Weight returns the sid's weight, or ok=false when it has none (an
// observer or non-member without a weight entry, where Java's getWeight
// throws a NullPointerException).
func (h *Hierarchical) Weight(id int64) (int64, bool) {
	w, ok := h.weight[id]
	return w, ok
}

// ContainsQuorum is QuorumHierarchical.containsQuorum: an empty set is no
// quorum; the acknowledging participants' weights are summed per group;
// a group with at least one acknowledging participant has a majority when
// that sum exceeds half (integer division) of the group's weight; and the
// set is a quorum when more than half (integer division) of the groups
// with non-zero weight have a majority. Acks from observers and from sids
// that are not members are ignored, as Java's SyncedLearnerTracker never
// adds them.
func (h *Hierarchical) ContainsQuorum(acks map[int64]struct{}) bool {
	if len(acks) == 0 || len(h.slotWeight) == 0 {
		return false
	}
	type tally struct {
		sum  int64
		seen bool
	}
	var small [8]tally
	tallies := small[:0]
	if len(h.slotWeight) <= len(small) {
		tallies = small[:len(h.slotWeight)]
	} else {
		tallies = make([]tally, len(h.slotWeight))
	}
	for id := range acks {
		if i, ok := h.voterSlot[id]; ok {
			tallies[i].sum += h.weight[id]
			tallies[i].seen = true
		}
	}
	majorities := 0
	for i, t := range tallies {
		if t.seen && t.sum > h.slotWeight[i]/2 {
			majorities++
		}
	}
	return majorities > h.numGroups/2
}

// Groups returns a copy of the groups, each group's sids ascending.
// (Added beyond the Verifier contract, for zoo.cfg writers and tests.)
func (h *Hierarchical) Groups() Groups {
	out := make(Groups, len(h.groups))
	for gid, sids := range h.groups {
		out[gid] = slices.Clone(sids)
	}
	return out
}

// Weights returns a copy of the effective weights: those given, plus
// weight 1 for each participant that had none. (Added beyond the
// Verifier contract.)
func (h *Hierarchical) Weights() Weights { return maps.Clone(h.weight) }

// String returns exactly what QuorumHierarchical.toString() prints; it is
// computed once, at construction.
func (h *Hierarchical) String() string { return h.text }

// javaString is QuorumHierarchical.toString(): the server lines; then
// one group.<gid> line per group, which Java builds by walking serverGroup
// (so the sids of a group, and the gids, come in the order of that walk,
// the gids then reordered by their own HashMap); then weight.<sid> lines
// in serverWeight's order; then the version.
func (h *Hierarchical) javaString() string {
	var sb strings.Builder
	h.writeServerLines(&sb)
	members := make(map[int64][]string, len(h.groups))
	var gidPuts []int64
	for _, sid := range javaHashMapOrder(h.groupPuts) {
		gid := h.groupOf[sid]
		if _, seen := members[gid]; !seen {
			gidPuts = append(gidPuts, gid)
		}
		members[gid] = append(members[gid], strconv.FormatInt(sid, 10))
	}
	for _, gid := range javaHashMapOrder(gidPuts) {
		sb.WriteString("group.")
		writeInt(&sb, gid)
		sb.WriteByte('=')
		sb.WriteString(strings.Join(members[gid], ":"))
		sb.WriteByte('\n')
	}
	for _, sid := range javaHashMapOrder(h.weightPuts) {
		sb.WriteString("weight.")
		writeInt(&sb, sid)
		sb.WriteByte('=')
		writeInt(&sb, h.weight[sid])
		sb.WriteByte('\n')
	}
	h.writeVersionLine(&sb)
	return sb.String()
}

// Equal is QuorumHierarchical.equals: other must be a *Hierarchical too;
// then the same version means equal, and otherwise the members, the
// weights, the group weights and the sid-to-group map must all match.
func (h *Hierarchical) Equal(other Verifier) bool {
	o, ok := other.(*Hierarchical)
	if !ok || o == nil {
		return false
	}
	if o.version == h.version {
		return true
	}
	return h.sameMembers(&o.membership) &&
		maps.Equal(h.weight, o.weight) &&
		maps.Equal(h.groupWeight, o.groupWeight) &&
		maps.Equal(h.groupOf, o.groupOf)
}
