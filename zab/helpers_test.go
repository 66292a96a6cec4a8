package zab

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/quorum"
)

// parseConfig parses a config text (what NEWLEADER and notifications
// carry) into a verifier.
func parseConfig(t testing.TB, text string) quorum.Verifier {
	t.Helper()
	v, err := quorum.ParseConfig(text)
	require.NoError(t, err)
	return v
}
