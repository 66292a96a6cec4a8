package quorum

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// goldenConfigs returns the config strings a Java ZooKeeper printed,
// keyed by file name.
func goldenConfigs(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("testdata/golden/*.cfg")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		out[filepath.Base(p)] = string(b)
	}
	return out
}

// TestGoldenConfigsReencode: what Java printed, we print back byte for
// byte after parsing it.
func TestGoldenConfigsReencode(t *testing.T) {
	for name, text := range goldenConfigs(t) {
		t.Run(name, func(t *testing.T) {
			require.NotContains(t, text[len(text)-1:], "\n", "golden files have no trailing newline")
			v, err := ParseConfig(text)
			require.NoError(t, err)
			require.Equal(t, text, v.String())
		})
	}
}

// TestGoldenElectionConfig pins the one config seen on the wire: 138
// bytes, three participants, version 0.
func TestGoldenElectionConfig(t *testing.T) {
	text := goldenConfigs(t)["election-3.cfg"]
	require.Len(t, text, 138)
	v, err := ParseConfig(text)
	require.NoError(t, err)
	require.IsType(t, &Majority{}, v)
	require.Equal(t, int64(0), v.Version())
	require.Equal(t, []int64{1, 2, 3}, v.VotingMembers())
	s, ok := v.Server(2)
	require.True(t, ok)
	require.Equal(t, Server{ID: 2, Addrs: []AddrPair{{Host: "127.0.0.1", QuorumPort: 12102, ElectionPort: 12202}}, Type: Participant}, s)
}
