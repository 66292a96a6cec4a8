package fourletter

import (
	"sort"
	"strconv"
)

// learnerOrder returns the leader's learner sids as decimal strings in the
// order a Java ConcurrentHashMap keyed by them iterates: by bin (the
// spread String.hashCode masked to the table size), bins in ascending
// order, and within a bin by sid (ZooKeeper adds them in connection order,
// which a snapshot does not keep).
func learnerOrder(s *Snapshot) []string {
	ids := make([]int64, len(s.Learners))
	for i, l := range s.Learners {
		ids[i] = l.ID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = strconv.FormatInt(id, 10)
	}
	// The table starts at 16 bins and doubles once it holds 3/4 of that.
	size := 16
	for len(keys) >= size*3/4 {
		size *= 2
	}
	bin := func(k string) uint32 { return javaSpread(javaStringHash(k)) & uint32(size-1) }
	sort.SliceStable(keys, func(i, j int) bool { return bin(keys[i]) < bin(keys[j]) })
	return keys
}

// javaStringHash is Java's String.hashCode for ASCII text.
func javaStringHash(s string) uint32 {
	var h uint32
	for i := 0; i < len(s); i++ {
		h = 31*h + uint32(s[i])
	}
	return h
}

// javaSpread is ConcurrentHashMap.spread.
func javaSpread(h uint32) uint32 { return (h ^ h>>16) & 0x7fffffff }
