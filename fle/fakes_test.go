package fle

import (
	"slices"

	"github.com/zkfle/zkfle/quorum"
)

// Test-only quorum verifiers, standing in for quorum.NewMajority and
// quorum.NewHierarchical until those land. They restate QuorumMaj and
// QuorumHierarchical's rules, which the election depends on.

type fakeVerifier struct {
	servers []quorum.Server
	version int64
	// weights and groups are nil for a majority verifier.
	weights map[int64]int64
	groups  map[int64][]int64
}

func servers(participants, observers []int64) []quorum.Server {
	var out []quorum.Server
	for _, id := range participants {
		out = append(out, quorum.Server{ID: id, Type: quorum.Participant})
	}
	for _, id := range observers {
		out = append(out, quorum.Server{ID: id, Type: quorum.Observer})
	}
	slices.SortFunc(out, func(a, b quorum.Server) int { return int(a.ID - b.ID) })
	return out
}

// majority is a majority verifier over participants plus observers.
func majority(participants []int64, observers ...int64) quorum.Verifier {
	return &fakeVerifier{servers: servers(participants, observers)}
}

// majorityV is majority with a config version.
func majorityV(version int64, participants []int64, observers ...int64) quorum.Verifier {
	return &fakeVerifier{servers: servers(participants, observers), version: version}
}

// hierarchical is a hierarchical verifier; every grouped sid is a
// participant, and observers have no weight entry.
func hierarchical(groups map[int64][]int64, weights map[int64]int64, observers ...int64) quorum.Verifier {
	var ps []int64
	for _, g := range groups {
		ps = append(ps, g...)
	}
	return &fakeVerifier{servers: servers(ps, observers), weights: weights, groups: groups}
}

func (f *fakeVerifier) Version() int64           { return f.version }
func (f *fakeVerifier) Servers() []quorum.Server { return f.servers }
func (f *fakeVerifier) String() string           { return "fake" }

func (f *fakeVerifier) Server(id int64) (quorum.Server, bool) {
	for _, s := range f.servers {
		if s.ID == id {
			return s, true
		}
	}
	return quorum.Server{}, false
}

func (f *fakeVerifier) members(t quorum.LearnerType) []int64 {
	var out []int64
	for _, s := range f.servers {
		if s.Type == t {
			out = append(out, s.ID)
		}
	}
	return out
}

func (f *fakeVerifier) VotingMembers() []int64    { return f.members(quorum.Participant) }
func (f *fakeVerifier) ObservingMembers() []int64 { return f.members(quorum.Observer) }

func (f *fakeVerifier) IsVoter(id int64) bool {
	s, ok := f.Server(id)
	return ok && s.Type == quorum.Participant
}

func (f *fakeVerifier) Weight(id int64) (int64, bool) {
	if f.weights == nil {
		return 1, true
	}
	w, ok := f.weights[id]
	return w, ok
}

func (f *fakeVerifier) ContainsQuorum(acks map[int64]struct{}) bool {
	if f.groups == nil {
		n := 0
		for id := range acks {
			if f.IsVoter(id) {
				n++
			}
		}
		return n > len(f.VotingMembers())/2
	}
	if len(acks) == 0 {
		return false
	}
	maj, groups := 0, 0
	for _, sids := range f.groups {
		total, acked := int64(0), int64(0)
		for _, sid := range sids {
			total += f.weights[sid]
			if _, ok := acks[sid]; ok {
				acked += f.weights[sid]
			}
		}
		if total > 0 {
			groups++
		}
		if acked > total/2 {
			maj++
		}
	}
	return maj > groups/2
}

func (f *fakeVerifier) Equal(o quorum.Verifier) bool {
	if o.Version() == f.version {
		return true
	}
	return slices.Equal(f.VotingMembers(), o.VotingMembers()) &&
		slices.Equal(f.ObservingMembers(), o.ObservingMembers())
}
