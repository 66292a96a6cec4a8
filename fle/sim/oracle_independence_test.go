package sim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/oraclecheck"
)

// TestOracleSharesNoCodeWithTheSimulator: the oracle's arithmetic
// (oracle.go) imports nothing and reads nothing of this package but the
// plain fields of Member (config.go), so a rule broken in fle, quorum or
// the simulator cannot move its judge.
func TestOracleSharesNoCodeWithTheSimulator(t *testing.T) {
	rep, err := oraclecheck.Read(".", "oracle.go")
	require.NoError(t, err)
	require.Empty(t, rep.Imports, "oracle.go's imports")
	for name, file := range rep.Foreign {
		require.Equal(t, "config.go", file, "oracle.go uses %s from %s", name, file)
		require.Contains(t, []string{"Member", "field ID", "field Zxid", "field Epoch", "field Observer", "field Group", "field Weight"}, name,
			"oracle.go uses %s beyond Member's fields", name)
	}
}
