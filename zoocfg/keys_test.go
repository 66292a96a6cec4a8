package zoocfg

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnknownAndIgnoredKeys(t *testing.T) {
	f := mustParse(t, `tikTime=2000
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
maxClientCnxns=60
jute.maxbuffer=1048575
admin.serverPort=8081
myFancyOption=on
metricsProvider.httpPort=7000
zookeeper.quorumListenOnAllIPs=true
reconfigEnabled=false
dataLogDir=/var/log/zk
tickTime=2000
cnxTimeout=5000
`+base+ensemble3)
	assert.Equal(t, []string{"tikTime", "myFancyOption", "zookeeper.quorumListenOnAllIPs"}, f.Unknown(),
		"typos, inventions, and prefixed keys ZooKeeper never reads as system properties")
	assert.Equal(t, []string{"autopurge.snapRetainCount", "autopurge.purgeInterval", "maxClientCnxns", "jute.maxbuffer",
		"admin.serverPort", "metricsProvider.httpPort", "reconfigEnabled", "dataLogDir"}, f.Ignored())
	assert.False(t, f.Settings().ListenOnAllIPs)

	v, ok := f.Get("tikTime")
	assert.True(t, ok)
	assert.Equal(t, "2000", v)
	_, ok = f.Get("secureClientPort")
	assert.False(t, ok)
}

func TestPropertiesKeepsFileOrder(t *testing.T) {
	f := mustParse(t, "b=1\na=2\nb=3\n"+base+ensemble3)
	props := f.Properties()
	require.GreaterOrEqual(t, len(props), 2)
	assert.Equal(t, "b", props[0].Key)
	assert.Equal(t, "3", props[0].Value, "a repeated key keeps its first place and its last value")
	assert.Equal(t, "a", props[1].Key)
	props[0].Value = "changed"
	v, _ := f.Get("b")
	assert.Equal(t, "3", v, "Properties returns a copy")
}

// TestPackageDocListsHonouredKeys keeps the package doc's key table in
// step with the keys zoocfg acts on: each must be named in the table's
// first column.
func TestPackageDocListsHonouredKeys(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	const keyColumn = 35 // width of the "zoo.cfg key" column
	var firstColumn strings.Builder
	for _, line := range strings.Split(string(doc), "\n") {
		row, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			continue
		}
		if len(row) > keyColumn {
			row = row[:keyColumn]
		}
		firstColumn.WriteString(row + "\n")
	}
	var keys []string
	for k := range honouredPeerConfigKeys {
		keys = append(keys, k)
	}
	for k := range systemPropertyKeys {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "quorum.auth.") && strings.HasSuffix(k, "RequireSasl") {
			k = "quorum.auth.*RequireSasl"
		}
		if k == "ssl.quorum.handshakeDetectionTimeoutMillis" {
			k = "ssl.quorum.handshakeDetection..." // too long for the column
		}
		assert.True(t, strings.Contains(firstColumn.String(), k), "doc.go's table has no row for %s", k)
	}
}
