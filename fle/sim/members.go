package sim

import (
	"math/rand/v2"

	"github.com/zkfle/zkfle/zk"
)

// randomMembers draws the ensemble of a run: sids 1..N, which of them are
// observers, their epochs and zxids, which voters are untrusted (zxid -1),
// and for hierarchical runs their groups and weights. It keeps the
// eligible voters (trusted, weight > 0) a quorum, so that an election can
// always end.
func randomMembers(r *rand.Rand, o Options) []Member {
	ms := make([]Member, o.N)
	for i := range ms {
		ms[i] = Member{ID: int64(i + 1), Weight: 1}
	}
	for _, i := range r.Perm(o.N)[:o.Observers] {
		ms[i].Observer = true
	}
	var voters []int
	for i := range ms {
		if !ms[i].Observer {
			voters = append(voters, i)
		}
	}
	for _, i := range voters {
		if o.SameData {
			continue
		}
		// The zxid's epoch never exceeds currentEpoch, as on a real
		// server; a higher currentEpoch with an older zxid is a server
		// that acknowledged a new epoch before receiving its data.
		epoch := int64(r.IntN(3))
		ms[i].Epoch = epoch
		ms[i].Zxid = zk.MakeZxid(epoch-int64(r.IntN(int(epoch)+1)), int64(r.IntN(4)))
	}
	for _, k := range r.Perm(len(voters))[:min(o.Untrusted, len(voters))] {
		ms[voters[k]].Zxid = -1
	}
	if o.Hierarchical {
		groups := 1 + r.IntN(min(4, len(voters)))
		for _, i := range voters {
			ms[i].Group = int64(1 + r.IntN(groups))
			ms[i].Weight = []int64{0, 1, 1, 1, 2}[r.IntN(5)]
		}
		// Every group gets at least one member: sids are spread first.
		for g, k := range r.Perm(len(voters))[:groups] {
			ms[voters[k]].Group = int64(g + 1)
		}
	}
	// Repair until the eligible voters form a quorum: first trust
	// everyone, then give everyone weight 1.
	for attempt := 0; !eligibleQuorum(ms, o.Hierarchical); attempt++ {
		for _, i := range voters {
			if attempt == 0 && ms[i].Zxid == -1 {
				ms[i].Zxid = 0
			}
			if attempt > 0 {
				ms[i].Weight = 1
			}
		}
		if attempt > 1 {
			break
		}
	}
	return ms
}

// eligibleQuorum reports whether the voters that can win (trusted, with a
// weight) form a quorum, counted by the oracle's own isQuorum.
func eligibleQuorum(ms []Member, hierarchical bool) bool {
	set := map[int64]bool{}
	for _, m := range ms {
		if mayLead(m, hierarchical) {
			set[m.ID] = true
		}
	}
	return isQuorum(ms, hierarchical, set)
}

// newRand is the run's random source: PCG seeded with the run's seed.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
