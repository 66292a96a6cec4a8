package nodesim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/oraclecheck"
)

// TestOraclesShareNoCodeWithTheSimulator: the oracles (oracle.go) import no
// package they judge and use nothing of this package but the History they
// read (history.go), which itself imports only zk's plain types. A rule
// broken in fle, zab, quorum, cnx or quorumpeer, or in the simulator's
// glue, then cannot move its judge with it.
func TestOraclesShareNoCodeWithTheSimulator(t *testing.T) {
	rep, err := oraclecheck.Read(".", "oracle.go")
	require.NoError(t, err)
	require.Subset(t, []string{"fmt", "sort", "time"}, rep.Imports, "oracle.go's imports")
	for name, file := range rep.Foreign {
		require.Equal(t, "history.go", file, "oracle.go uses %s from %s", name, file)
	}

	hist, err := oraclecheck.Read(".", "history.go")
	require.NoError(t, err)
	require.Subset(t, []string{"fmt", "sort", "strings", "time", "github.com/zkfle/zkfle/zk"}, hist.Imports, "history.go's imports")
	require.Empty(t, hist.Foreign, "history.go uses the simulator's code")
}
