package zoocfg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readmeZooCfg is the zoo.cfg of the reference ensemble's README (zk-ensemble.sh)
// (server 1 of 3, base port 12000), as zk-ensemble.sh writes it; DIR is
// replaced by a test directory.
const readmeZooCfg = `tickTime=2000
initLimit=10
syncLimit=5
admin.enableServer=false
4lw.commands.whitelist=*
quorumListenOnAllIPs=false
dataDir=DIR/s1/data
clientPort=12001
clientPortAddress=127.0.0.1
server.1=127.0.0.1:12101:12201
server.2=127.0.0.1:12102:12202
server.3=127.0.0.1:12103:12203
`

// ensemble3 is a three-server ensemble; tests add keys before it.
const ensemble3 = `server.1=127.0.0.1:2888:3888
server.2=127.0.0.2:2888:3888
server.3=127.0.0.3:2888:3888
`

// base is what every ensemble needs besides its server lines.
const base = "initLimit=10\nsyncLimit=5\ndataDir=/var/lib/zookeeper\n"

// writeFiles writes files (relative name -> content, "DIR" replaced by
// the directory) into a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(content, "DIR", dir)), 0o644))
	}
	return dir
}

// parse parses zoo.cfg text with no base directory.
func parse(t *testing.T, text string) (*File, error) {
	t.Helper()
	return Parse(strings.NewReader(text), "")
}

// mustParse parses zoo.cfg text that must be valid.
func mustParse(t *testing.T, text string) *File {
	t.Helper()
	f, err := parse(t, text)
	require.NoError(t, err)
	return f
}
