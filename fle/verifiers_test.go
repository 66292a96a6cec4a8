package fle

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
)

// servers lists participants then observers as quorum members. The
// election never looks at addresses, so they have none.
func servers(participants, observers []int64) []quorum.Server {
	var out []quorum.Server
	for _, id := range participants {
		out = append(out, quorum.Server{ID: id, Type: quorum.Participant})
	}
	for _, id := range observers {
		out = append(out, quorum.Server{ID: id, Type: quorum.Observer})
	}
	return out
}

// majority is a version-0 majority verifier.
func majority(t testing.TB, participants []int64, observers ...int64) quorum.Verifier {
	t.Helper()
	return majorityV(t, 0, participants, observers...)
}

// majorityV is a majority verifier with a config version.
func majorityV(t testing.TB, version int64, participants []int64, observers ...int64) quorum.Verifier {
	t.Helper()
	v, err := quorum.NewMajority(servers(participants, observers), version)
	require.NoError(t, err)
	return v
}

// hierarchical is a version-0 hierarchical verifier whose participants are
// the grouped sids; observers have no weight entry.
func hierarchical(t testing.TB, groups quorum.Groups, weights quorum.Weights, observers ...int64) quorum.Verifier {
	t.Helper()
	var ps []int64
	for _, sids := range groups {
		ps = append(ps, sids...)
	}
	v, err := quorum.NewHierarchical(servers(ps, observers), groups, weights, 0)
	require.NoError(t, err)
	return v
}
