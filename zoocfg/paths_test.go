package zoocfg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRelativePaths: ZooKeeper keeps a relative dataDir relative to its
// working directory (java.io.File), and warns unless it starts with "./".
// Parse joins it to its baseDir when it has one.
func TestRelativePaths(t *testing.T) {
	tests := []struct {
		name        string
		dataDir     string
		baseDir     string
		wantDataDir string
		warning     string
	}{
		{"absolute", "/var/lib//zk/", "", "/var/lib/zk", ""},
		{"relative", "var/zk", "", "var/zk", "var/zk is relative. Prepend ./ to indicate that you're sure!"},
		{"dot relative", "./var/zk", "", "./var/zk", ""},
		{"relative to baseDir", "var/zk", "/srv/node1", "/srv/node1/var/zk", "var/zk is relative. Prepend ./ to indicate that you're sure!"},
		{"dot relative to baseDir", "./var/zk", "/srv/node1", "/srv/node1/var/zk", ""},
		{"absolute ignores baseDir", "/var/zk", "/srv/node1", "/var/zk", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(strings.NewReader("initLimit=10\nsyncLimit=5\ndataDir="+tt.dataDir+"\n"+ensemble3), tt.baseDir)
			require.NoError(t, err)
			assert.Equal(t, tt.wantDataDir, f.Settings().DataDir)
			assert.Equal(t, tt.wantDataDir, f.Settings().DataLogDir, "dataLogDir defaults to dataDir")
			if tt.warning == "" {
				assert.Empty(t, f.Warnings())
			} else {
				assert.Equal(t, []string{tt.warning}, f.Warnings())
			}
		})
	}
}

// TestLoadRelativeConfigPath: ZooKeeper warns about the config path too.
func TestLoadRelativeConfigPath(t *testing.T) {
	dir := writeFiles(t, map[string]string{"zoo.cfg": base + ensemble3})
	cwd, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(cwd, filepath.Join(dir, "zoo.cfg"))
	require.NoError(t, err)
	require.False(t, filepath.IsAbs(rel))
	f, err := Load(rel)
	require.NoError(t, err)
	assert.Equal(t, []string{rel + " is relative. Prepend ./ to indicate that you're sure!"}, f.Warnings())
}

// BenchmarkLoad measures reading the reference ensemble's zoo.cfg and
// building its node configuration.
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(b, os.WriteFile(path, []byte(strings.ReplaceAll(readmeZooCfg, "DIR", dir)), 0o644))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := Load(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.NodeConfig(1); err != nil {
			b.Fatal(err)
		}
	}
}
