package zoocfg

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/quorum"
)

func set(ids ...int64) map[int64]struct{} {
	m := make(map[int64]struct{}, len(ids))
	for _, id := range ids {
		m[id] = struct{}{}
	}
	return m
}

func TestNodeConfigObservers(t *testing.T) {
	f := mustParse(t, base+ensemble3+"server.4=127.0.0.4:2888:3888:observer\nserver.5=127.0.0.5:2888:3888:OBSERVER;2181\n")
	cfg, err := f.NodeConfig(5)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3}, cfg.Verifier.VotingMembers())
	assert.Equal(t, []int64{4, 5}, cfg.Verifier.ObservingMembers())
	assert.False(t, cfg.Verifier.IsVoter(5))
	assert.Equal(t, "0.0.0.0:2181", cfg.ClientAddr, "the ;2181 part of its own line")
	assert.Empty(t, f.Warnings(), "3 voters: observers do not count")
	assert.Equal(t, []string{"Peer type from servers list (OBSERVER) doesn't match peerType (PARTICIPANT). Defaulting to servers list."},
		f.WarningsFor(5))
	assert.Empty(t, f.WarningsFor(1))

	f = mustParse(t, "peerType=observer\n"+base+ensemble3+"server.4=127.0.0.4:2888:3888:observer\n")
	assert.Empty(t, f.WarningsFor(4))
	assert.Equal(t, []string{"Peer type from servers list (PARTICIPANT) doesn't match peerType (OBSERVER). Defaulting to servers list."},
		f.WarningsFor(2))
}

func TestNodeConfigClientAddress(t *testing.T) {
	tests := []struct {
		name   string
		zooCfg string
		myid   int64
		want   string
		errKey string
	}{
		{"none", base + ensemble3, 1, "", ""},
		{"clientPort only", base + "clientPort=2181\n" + ensemble3, 1, "0.0.0.0:2181", ""},
		{"clientPortAddress", base + "clientPort=2181\nclientPortAddress=127.0.0.1\n" + ensemble3, 1, "127.0.0.1:2181", ""},
		{"IPv6 clientPortAddress", base + "clientPort=2181\nclientPortAddress=::1\n" + ensemble3, 1, "[::1]:2181", ""},
		{"bracketed IPv6 clientPortAddress", base + "clientPort=2181\nclientPortAddress=[::1]\n" + ensemble3, 1, "[::1]:2181", ""},
		{"empty clientPortAddress is loopback", base + "clientPort=2181\nclientPortAddress=\n" + ensemble3, 1, "localhost:2181", ""},
		{"server line ;port", base + "server.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", 1, "0.0.0.0:2181", ""},
		{"server line [::1]", base + "server.1=[::1]:2888:3888;[::1]:2181\nserver.2=[::1]:2889:3889\nserver.3=[::1]:2890:3890\n", 1, "[::1]:2181", ""},
		{"another server's client part", base + "clientPort=2181\n" + "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888;2182\nserver.3=127.0.0.3:2888:3888\n", 1, "0.0.0.0:2181", ""},
		{"wildcard static, same port", base + "clientPort=2181\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2181\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", 1, "127.0.0.1:2181", ""},
		{"wildcard static, other port", base + "clientPort=2182\nserver.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", 1, "", "clientPort"},
		{"other address", base + "clientPort=2181\nclientPortAddress=127.0.0.9\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2181\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", 1, "", "clientPortAddress"},
		{"names are not resolved", base + "clientPort=2181\nclientPortAddress=zk1.example\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2181\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", 1, "127.0.0.1:2181", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.zooCfg)
			cfg, err := f.NodeConfig(tt.myid)
			if tt.errKey == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, cfg.ClientAddr)
				return
			}
			var e *Error
			require.True(t, errors.As(err, &e), "%v", err)
			assert.Equal(t, tt.errKey, e.Key)
			assert.ErrorIs(t, err, ErrConflict)
			assert.Contains(t, e.Reason, "client address for this server (id = 1)")
		})
	}
}

func TestNodeConfigIPv6Hosts(t *testing.T) {
	f := mustParse(t, base+"server.1=[::1]:2888:3888:participant;[::1]:2181\nserver.2=[::1]:2889:3889\nserver.3=[0:0:0:0:0:0:0:1]:2890:3890\n")
	cfg, err := f.NodeConfig(2)
	require.NoError(t, err)
	srv, ok := cfg.Verifier.Server(2)
	require.True(t, ok)
	assert.Equal(t, []quorum.AddrPair{{Host: "::1", QuorumPort: 2889, ElectionPort: 3889}}, srv.Addrs)
	// What ZooKeeper 3.8 prints for these lines (java-ipv6 Java vector).
	assert.Equal(t, "server.1=[0:0:0:0:0:0:0:1]:2888:3888:participant;[0:0:0:0:0:0:0:1]:2181\n"+
		"server.2=[0:0:0:0:0:0:0:1]:2889:3889:participant\n"+
		"server.3=[0:0:0:0:0:0:0:1]:2890:3890:participant\nversion=0", cfg.Verifier.String())
}

// TestNodeConfigHierarchicalZeroWeights: any group or weight key makes
// the ensemble hierarchical; weight 0 servers never count, and a group of
// weight 0 is left out of the group count.
func TestNodeConfigHierarchicalZeroWeights(t *testing.T) {
	f := mustParse(t, base+ensemble3+`server.4=127.0.0.4:2888:3888
server.5=127.0.0.5:2888:3888
server.6=127.0.0.6:2888:3888
group.1=1:2:3
group.2=4:5
group.3=6
weight.1=1
weight.2=1
weight.3=0
weight.4=1
weight.5=1
weight.6=0
`)
	cfg, err := f.NodeConfig(3)
	require.NoError(t, err)
	h, ok := cfg.Verifier.(*quorum.Hierarchical)
	require.True(t, ok, "%T", cfg.Verifier)
	w, ok := h.Weight(3)
	require.True(t, ok)
	assert.Equal(t, int64(0), w)
	assert.Equal(t, quorum.Groups{1: {1, 2, 3}, 2: {4, 5}, 3: {6}}, h.Groups())
	// Two groups count (group 3 weighs 0); a quorum is a majority of both.
	assert.True(t, h.ContainsQuorum(set(1, 2, 4, 5)))
	assert.False(t, h.ContainsQuorum(set(1, 3, 4, 5)), "sid 3 weighs nothing: group 1 has 1 of 2")
	assert.False(t, h.ContainsQuorum(set(1, 2, 6)), "group 3 does not count")
	assert.Equal(t, []string{"Non-optimal configuration, consider an odd number of servers."}, f.Warnings())
}

// TestDynamicConfigFile: with dynamicConfigFile the server lines come from
// that file, its name's hex suffix is the version, and Load reads
// <zoo.cfg>.dynamic.next as the configuration being proposed.
func TestDynamicConfigFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"conf/zoo.cfg": "tickTime=2000\n" + base + "clientPort=2181\ndynamicConfigFile=DIR/conf/zoo.cfg.dynamic.100000000\n",
		"conf/zoo.cfg.dynamic.100000000": "server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
			"server.2=127.0.0.2:2888:3888:participant;0.0.0.0:2181\nserver.3=127.0.0.3:2888:3888:participant;0.0.0.0:2181\n",
		"conf/zoo.cfg.dynamic.next": ensemble3 + "server.4=127.0.0.4:2888:3888\nversion=100000004\n",
	})
	f, err := Load(filepath.Join(dir, "conf/zoo.cfg"))
	require.NoError(t, err)
	s := f.Settings()
	assert.Equal(t, filepath.Join(dir, "conf/zoo.cfg.dynamic.100000000"), s.DynamicConfigFile)
	assert.Equal(t, int64(0x100000000), s.Verifier.Version())
	require.NotNil(t, s.LastSeen)
	assert.Equal(t, int64(0x100000004), s.LastSeen.Version())
	cfg, err := f.NodeConfig(2)
	require.NoError(t, err)
	assert.Equal(t, s.LastSeen, cfg.LastSeen)
	assert.Equal(t, "0.0.0.0:2181", cfg.ClientAddr)

	// Parse resolves a relative dynamicConfigFile against its baseDir, and
	// has no path to find a .dynamic.next by.
	f, err = Parse(strings.NewReader(base+"dynamicConfigFile=conf/zoo.cfg.dynamic.100000000\n"), dir)
	require.NoError(t, err)
	assert.Equal(t, int64(0x100000000), f.Settings().Verifier.Version())
	assert.Nil(t, f.Settings().LastSeen)
}

func TestVersionFromFilename(t *testing.T) {
	for name, want := range map[string]string{
		"zoo.cfg.dynamic.100000000":    "100000000",
		"zoo.cfg.dynamic.0100000000":   "100000000",
		"zoo.cfg.dynamic.1F":           "1f",
		"/etc/zk.d/zoo.cfg.dynamic":    "",
		"/etc/zk.d/ensemble":           "",
		"ensemble.":                    "",
		"zoo.cfg.dynamic.fffffffffff0": "fffffffffff0",
	} {
		assert.Equal(t, want, versionFromFilename(name), name)
	}
}

func TestNodeConfigRefusals(t *testing.T) {
	tests := []struct {
		name     string
		zooCfg   string
		myid     int64
		sentinel error
		key      string
		reason   string
	}{
		{"no servers", "tickTime=2000\ndataDir=/d\nclientPort=2181\n", 1, ErrStandalone, "standaloneEnabled", "no participant server lines"},
		{"one participant", "dataDir=/d\nserver.1=127.0.0.1:2888:3888\n", 1, ErrStandalone, "standaloneEnabled", "set standaloneEnabled=false"},
		{"not a member", base + ensemble3, 4, ErrNotMember, "myid", "no server.4 line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.zooCfg)
			_, err := f.NodeConfig(tt.myid)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.sentinel)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.key, e.Key)
			assert.Contains(t, e.Reason, tt.reason)
		})
	}

	// With standaloneEnabled=false, one server is an ensemble of one.
	f := mustParse(t, "standaloneEnabled=false\n"+base+"server.1=127.0.0.1:2888:3888\n")
	cfg, err := f.NodeConfig(1)
	require.NoError(t, err)
	assert.Equal(t, []int64{1}, cfg.Verifier.VotingMembers())
	assert.Equal(t, []string{"No server failure will be tolerated. You need at least 3 servers."}, f.Warnings())
}

// TestSystemPropertyKeys: the keys ZooKeeper's election code reads as
// zookeeper.* system properties, written as zoo.cfg keys, with or without
// the prefix.
func TestSystemPropertyKeys(t *testing.T) {
	f := mustParse(t, base+`cnxTimeout=1500
quorumCnxnTimeoutMs=7000
electionPortBindRetry=0
tcpKeepAlive=TRUE
fastleader.minNotificationInterval=0x64
fastleader.maxNotificationInterval=010000
4lw.commands.whitelist=stat, ruok ,,mntr,stat
quorumListenOnAllIPs=true
zookeeper.multiAddress.enabled=true
`+"server.1=127.0.0.1:2888:3888|127.0.1.1:2889:3889\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n")
	cfg, err := f.NodeConfig(1)
	require.NoError(t, err)
	assert.Equal(t, 1500*time.Millisecond, cfg.ConnectTimeout)
	assert.Equal(t, 7*time.Second, cfg.HandshakeTimeout)
	assert.Equal(t, 0, cfg.ElectionPortBindRetry, "0 means forever")
	assert.True(t, cfg.TCPKeepAlive)
	assert.Equal(t, 100*time.Millisecond, cfg.MinNotificationInterval, "Integer.decode: 0x64")
	assert.Equal(t, 4096*time.Millisecond, cfg.MaxNotificationInterval, "Integer.decode: 010000 is octal")
	assert.Equal(t, []string{"stat", "ruok", "mntr", "srvr"}, cfg.FourLetterWords)
	assert.True(t, cfg.ListenOnAllIPs)
	assert.True(t, cfg.MultiAddressEnabled)
	srv, _ := cfg.Verifier.Server(1)
	assert.Len(t, srv.Addrs, 2)
	assert.Equal(t, []string{"zookeeper.multiAddress.enabled: ZooKeeper ignores it in zoo.cfg " +
		"(it reads multiAddress.enabled there, or -Dzookeeper.multiAddress.enabled); zkfle applies it"}, f.Warnings())

	f = mustParse(t, base+"zookeeper.cnxTimeout=2500\ncnxTimeout=3500\nzookeeper.fastleader.minNotificationInterval=50\n"+ensemble3)
	s := f.Settings()
	assert.Equal(t, 3500*time.Millisecond, s.ConnectTimeout, "the bare key wins, as in ZooKeeper")
	assert.Equal(t, 50*time.Millisecond, s.MinNotificationInterval)
	assert.Equal(t, []string{
		"zookeeper.cnxTimeout is overridden by cnxTimeout, as in ZooKeeper",
		"zookeeper.fastleader.minNotificationInterval: ZooKeeper ignores it in zoo.cfg (it reads fastleader.minNotificationInterval there, or -Dzookeeper.fastleader.minNotificationInterval); zkfle applies it",
	}, f.Warnings())

	f = mustParse(t, base+"electionPortBindRetry=-2\nquorumCnxnTimeoutMs=0\n"+ensemble3)
	assert.Equal(t, 3, f.Settings().ElectionPortBindRetry)
	assert.Equal(t, time.Duration(0), f.Settings().HandshakeTimeout)
	assert.Equal(t, []string{"'zookeeper.electionPortBindRetry' contains invalid value: -2(must be >= 0). Use default value of 3 instead."}, f.Warnings())

	f = mustParse(t, base+"4lw.commands.whitelist=ruok, *, bogus\n"+ensemble3)
	assert.Equal(t, []string{"*"}, f.Settings().FourLetterWords)
}

func TestMultiAddressKeyWarnsAboutJava(t *testing.T) {
	f := mustParse(t, base+"multiAddress.enabled=true\nserver.1=127.0.0.1:2888:3888|127.0.1.1:2889:3889\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n")
	require.True(t, f.Settings().MultiAddressEnabled)
	assert.Equal(t, []string{"server 1 has several addresses: ZooKeeper 3.8 itself only parses such lines when the JVM runs with " +
		"-Dzookeeper.multiAddress.enabled=true; the zoo.cfg key alone is not enough there"}, f.Warnings())
}
