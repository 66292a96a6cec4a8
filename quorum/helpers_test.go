package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsVoterInAny(t *testing.T) {
	current, err := NewMajority(servers([]int64{1, 2, 3}, 4), 1)
	require.NoError(t, err)
	next, err := NewMajority(servers([]int64{3, 4, 5}), 2)
	require.NoError(t, err)

	tests := []struct {
		name string
		id   int64
		vs   []Verifier
		want bool
	}{
		{"voter in current", 1, []Verifier{current, next}, true},
		{"voter only in next", 5, []Verifier{current, next}, true},
		{"observer in current, voter in next", 4, []Verifier{current, next}, true},
		{"observer and no next config", 4, []Verifier{current, nil}, false},
		{"stranger", 9, []Verifier{current, next}, false},
		{"no verifiers", 1, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, IsVoterInAny(tc.id, tc.vs...))
		})
	}
}
