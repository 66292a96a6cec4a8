package zoocfg

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
)

// TestReadmeZooCfg loads the reference ensemble's zoo.cfg and its myid
// and checks every field of the node configuration it gives.
func TestReadmeZooCfg(t *testing.T) {
	dir := writeFiles(t, map[string]string{"s1/zoo.cfg": readmeZooCfg, "s1/data/myid": "1\n"})
	f, err := Load(filepath.Join(dir, "s1/zoo.cfg"))
	require.NoError(t, err)
	id, err := ReadMyID(f.Settings().DataDir)
	require.NoError(t, err)
	require.Equal(t, int64(1), id)

	cfg, err := f.NodeConfig(id)
	require.NoError(t, err)
	want := NodeConfig{ID: 1, ClientAddr: "127.0.0.1:12001", Settings: f.Settings()}
	assert.Equal(t, want, cfg)
	assert.Equal(t, 2*time.Second, cfg.TickTime)
	assert.Equal(t, []string{"*"}, cfg.FourLetterWords)
	assert.Equal(t, filepath.Join(dir, "s1/data"), cfg.DataDir)
	// The exact config string the Java servers of that ensemble put in
	// their notifications (golden-frames.md).
	assert.Equal(t, "server.1=127.0.0.1:12101:12201:participant\n"+
		"server.2=127.0.0.1:12102:12202:participant\n"+
		"server.3=127.0.0.1:12103:12203:participant\nversion=0", cfg.Verifier.String())

	assert.Empty(t, f.Unknown())
	assert.Equal(t, []string{"admin.enableServer"}, f.Ignored())
	assert.Empty(t, f.WarningsFor(1))
}

// TestReadmeListingWithComments: the README's listing has end-of-line
// "# ..." comments, which Properties does not know. ZooKeeper takes them
// as part of the values, so its whitelist is one unknown word and only
// srvr answers; zoocfg does the same and says why.
func TestReadmeListingWithComments(t *testing.T) {
	text := strings.Replace(readmeZooCfg, "4lw.commands.whitelist=*",
		"4lw.commands.whitelist=*      # srvr/stat/ruok/mntr answer on the client port", 1)
	f := mustParse(t, text)
	assert.Equal(t, []string{"*      # srvr/stat/ruok/mntr answer on the client port", "srvr"}, f.Settings().FourLetterWords)
	warnings := strings.Join(f.Warnings(), "\n")
	assert.Contains(t, warnings, `4lw.commands.whitelist="*      # srvr/stat/ruok/mntr answer on the client port": a Properties file has no end-of-line comments`)
	assert.Contains(t, warnings, "is not a four-letter word ZooKeeper knows")

	_, err := parse(t, strings.Replace(readmeZooCfg, "tickTime=2000", "tickTime=2000   # ms", 1))
	require.Error(t, err)
	assert.Equal(t, `zoo.cfg: tickTime="2000   # ms": not an integer ("#" does not start a comment after a value)`, err.Error())
}

// TestDefaultsAreZooKeepers: a zoo.cfg with only what an ensemble needs
// gives ZooKeeper 3.8's defaults (checked against the real
// QuorumPeerConfig by the "defaults" Java vector).
func TestDefaultsAreZooKeepers(t *testing.T) {
	f := mustParse(t, base+ensemble3)
	s := f.Settings()
	assert.Equal(t, 3*time.Second, s.TickTime, "ZooKeeperServer.DEFAULT_TICK_TIME")
	assert.Equal(t, 5*time.Second, s.ConnectTimeout)
	assert.Equal(t, time.Duration(0), s.HandshakeTimeout, "tickTime × syncLimit")
	assert.Equal(t, 3, s.ElectionPortBindRetry)
	assert.False(t, s.TCPKeepAlive)
	assert.False(t, s.ListenOnAllIPs)
	assert.False(t, s.MultiAddressEnabled)
	assert.False(t, s.ReconfigEnabled)
	assert.True(t, s.StandaloneEnabled)
	assert.True(t, s.Distributed)
	assert.Equal(t, 200*time.Millisecond, s.MinNotificationInterval)
	assert.Equal(t, 60*time.Second, s.MaxNotificationInterval)
	assert.Equal(t, []string{"srvr"}, s.FourLetterWords)
	assert.Equal(t, "", s.ClientAddr)
	assert.Equal(t, "/var/lib/zookeeper", s.DataLogDir)
	assert.Nil(t, s.LastSeen)

	cfg, err := f.NodeConfig(2)
	require.NoError(t, err)
	assert.Equal(t, fle.DefaultTiming().MinNotificationInterval, cfg.MinNotificationInterval)
	assert.Equal(t, fle.DefaultTiming().MaxNotificationInterval, cfg.MaxNotificationInterval)
	assert.Equal(t, 3*time.Second, cfg.TickTime, "DefaultConfig's 2 s is the sample zoo.cfg's, not ZooKeeper's default")
}
