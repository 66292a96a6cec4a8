package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/zoocfg"
)

// TestActorsConfigMapsEveryHonouredKey: a zoo.cfg that sets every key
// zkfle honours to something other than its default gives the node
// configuration with exactly those values, and DefaultConfig's for the
// rest.
func TestActorsConfigMapsEveryHonouredKey(t *testing.T) {
	f, err := zoocfg.Parse(strings.NewReader(`tickTime=1500
initLimit=7
syncLimit=4
dataDir=/var/lib/zk
clientPort=2181
clientPortAddress=127.0.0.1
cnxTimeout=1200
quorumCnxnTimeoutMs=900
electionPortBindRetry=0
tcpKeepAlive=true
quorumListenOnAllIPs=true
multiAddress.enabled=true
fastleader.minNotificationInterval=150
fastleader.maxNotificationInterval=9000
4lw.commands.whitelist=ruok,mntr
zkfle.peerAddressCheck=false
zkfle.election.fastPaths=false
server.1=127.0.0.1:2888:3888|127.0.1.1:2888:3888
server.2=127.0.0.2:2888:3888
server.3=127.0.0.3:2888:3888
`), "")
	require.NoError(t, err)
	nc, err := f.NodeConfig(1)
	require.NoError(t, err)

	want := actors.DefaultConfig()
	want.ID = 1
	want.Verifier = f.Settings().Verifier
	want.TickTime = 1500 * time.Millisecond
	want.InitLimit = 7
	want.SyncLimit = 4
	want.DataDir = "/var/lib/zk"
	want.ConnectTimeout = 1200 * time.Millisecond
	want.HandshakeTimeout = 900 * time.Millisecond
	want.ElectionPortBindRetry = 0
	want.TCPKeepAlive = true
	want.ListenOnAllIPs = true
	want.MultiAddress = true
	want.Election.MinNotificationInterval = 150 * time.Millisecond
	want.Election.MaxNotificationInterval = 9 * time.Second
	want.SkipPeerAddressCheck = true
	want.DisableElectionFastPaths = true
	got := actorsConfig(nc)
	assert.Equal(t, want, got)
	require.NoError(t, got.Validate())
	assert.Equal(t, clientPortConfig{addr: "127.0.0.1:2181", words: []string{"ruok", "mntr", "srvr"}}, clientPortSettings(nc))
}

// TestActorsConfigDefaultsAreZooKeepers: keys a zoo.cfg leaves out get
// ZooKeeper's defaults, not DefaultConfig's (tickTime: 3 s, not the sample
// zoo.cfg's 2 s).
func TestActorsConfigDefaultsAreZooKeepers(t *testing.T) {
	f, err := zoocfg.Parse(strings.NewReader("initLimit=10\nsyncLimit=5\ndataDir=/d\n"+
		"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n"), "")
	require.NoError(t, err)
	nc, err := f.NodeConfig(2)
	require.NoError(t, err)
	cfg := actorsConfig(nc)
	assert.Equal(t, 3*time.Second, cfg.TickTime)
	assert.Equal(t, actors.DefaultConfig().Election, cfg.Election)
	assert.Equal(t, []string{"srvr"}, clientPortSettings(nc).words)
	assert.False(t, cfg.SkipPeerAddressCheck)
	assert.Empty(t, clientPortSettings(nc).addr)
}

// mappedSettings says, for every field of zoocfg.Settings, where it goes:
// an actors.Config field (actorsConfig), or why it has none. A field
// added to Settings fails TestEverySettingIsMapped until it is listed
// here, so that a new zoo.cfg key cannot be parsed and then dropped.
var mappedSettings = map[string]string{
	"TickTime": "TickTime", "InitLimit": "InitLimit", "SyncLimit": "SyncLimit",
	"DataDir":                 "DataDir",
	"DataLogDir":              "- zkfle has no transaction log",
	"ClientAddr":              "- clientPortSettings: NodeConfig.ClientAddr, which a server line's client part overrides",
	"PeerType":                "- the server list wins (zoocfg.WarningsFor)",
	"StandaloneEnabled":       "- NodeConfig refuses standalone configurations",
	"ReconfigEnabled":         "- zkfle never applies a reconfiguration",
	"MultiAddressEnabled":     "MultiAddress",
	"ListenOnAllIPs":          "ListenOnAllIPs",
	"DynamicConfigFile":       "- read into Verifier and LastSeen",
	"Verifier":                "Verifier",
	"LastSeen":                "LastSeen",
	"Distributed":             "- NodeConfig refuses a configuration that is not",
	"ConnectTimeout":          "ConnectTimeout",
	"HandshakeTimeout":        "HandshakeTimeout",
	"ElectionPortBindRetry":   "ElectionPortBindRetry",
	"TCPKeepAlive":            "TCPKeepAlive",
	"MinNotificationInterval": "Election.MinNotificationInterval",
	"MaxNotificationInterval": "Election.MaxNotificationInterval",
	"FourLetterWords":         "- clientPortSettings: the client port's whitelist",
	"PeerAddressCheck":        "SkipPeerAddressCheck (negated)",
	"ElectionFastPaths":       "DisableElectionFastPaths (negated)",
	"QuorumTLS":               "TLS (loadQuorumTLS reads the stores)",
}

func TestEverySettingIsMapped(t *testing.T) {
	typ := reflect.TypeFor[zoocfg.Settings]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		_, ok := mappedSettings[name]
		assert.True(t, ok, "zoocfg.Settings.%s is new: map it in actorsConfig (and TestActorsConfigMapsEveryHonouredKey), then list it in mappedSettings", name)
	}
	assert.Len(t, mappedSettings, typ.NumField(), "mappedSettings lists a field Settings no longer has")
}

// A typo'd key is not an error (ZooKeeper takes it as a system property),
// but the warning names the key it most likely meant.
func TestTypoKeyWarnsWithTheKeyMeant(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte("tickTme=2000\ninitLimit=10\nsyncLimit=5\ndataDir="+dir+"\nmyOwnKey=1\n"+
		"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n"), 0o644))
	var logs bytes.Buffer
	cfg, _, _, err := loadConfig(runOptions{config: path, myid: 1}, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, cfg.TickTime, "the typo leaves ZooKeeper's default")
	assert.Contains(t, logs.String(), `msg="unknown zoo.cfg key tickTme (did you mean tickTime?)" key=tickTme value=2000 suggestion=tickTime`)
	assert.Contains(t, logs.String(), `msg="zoo.cfg key zkfle does not use" key=myOwnKey`)
}
