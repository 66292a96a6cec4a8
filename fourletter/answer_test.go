package fourletter

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
)

// serving is a minimal snapshot of a follower.
func serving() Snapshot {
	return Snapshot{
		ServerID:  2,
		State:     messages.ServerState_FOLLOWING,
		LeaderID:  3,
		Version:   FullVersion("v1", time.Time{}),
		TraceMask: DefaultTraceMask,
		Clients:   []Client{{Addr: "127.0.0.1:5000", Received: 1}},
	}
}

func TestAnswerWhileLookingIsWhatZooKeeperSays(t *testing.T) {
	s := Snapshot{State: messages.ServerState_LOOKING, TraceMask: DefaultTraceMask}
	notServing := NotServing + "\n"
	want := map[string]string{
		Srvr: notServing, Stat: notServing, Conf: notServing, Mntr: notServing,
		Cons: notServing, Crst: notServing, Srst: notServing, Dirs: notServing,
		Dump: notServing, Wchs: notServing, Wchc: notServing, Wchp: notServing,
		Hash: NotServing, // no newline: DigestCommand uses print
		Isro: "null",
		Ruok: "imok",
		Gtmk: "306",
	}
	for word, answer := range want {
		assert.Equal(t, answer, Answer(word, s, []string{"*"}), word)
	}
	assert.True(t, strings.HasPrefix(Answer(Envi, s, []string{"*"}), "Environment:\n"), "envi answers while LOOKING")
}

func TestAnswerNotInWhitelistInAnyState(t *testing.T) {
	for _, state := range []messages.ServerState{messages.ServerState_LOOKING, messages.ServerState_LEADING} {
		s := serving()
		s.State = state
		assert.Equal(t, "mntr is not executed because it is not in the whitelist.\n", Answer(Mntr, s, nil))
		assert.Equal(t, "telnet close is not executed because it is not in the whitelist.\n", Answer(TelnetClose, s, []string{"ruok"}))
		assert.NotEqual(t, NotInWhitelist(Srvr), Answer(Srvr, s, nil), "srvr is always allowed")
	}
	assert.Equal(t, "xyzw is not executed because it is not in the whitelist.\n", NotInWhitelist("xyzw"))
}

func TestAnswerClosesSilentlyOnUnknownWords(t *testing.T) {
	for _, w := range []string{"abcd", "SRVR", "\x00\x00\x00\x2c", "", "srvrsrvr"} {
		assert.Empty(t, Answer(w, serving(), []string{"*"}), "%q", w)
	}
	assert.Empty(t, Answer(TelnetClose, serving(), []string{"*"}), "an allowed telnet close runs nothing")
}

func TestAnswerRoleLines(t *testing.T) {
	for state, mode := range map[messages.ServerState]string{
		messages.ServerState_LEADING:   "leader",
		messages.ServerState_FOLLOWING: "follower",
		messages.ServerState_OBSERVING: "observer",
	} {
		s := serving()
		s.State = state
		srvr := Answer(Srvr, s, nil)
		assert.Contains(t, srvr, "\nMode: "+mode+"\n")
		assert.Equal(t, state == messages.ServerState_LEADING, strings.Contains(srvr, "Proposal sizes"), mode)
		mntr := Answer(Mntr, s, []string{"*"})
		assert.Contains(t, mntr, "zk_server_state\t"+mode+"\n")
		assert.Contains(t, mntr, "zk_peer_state\t"+strings.ToLower(state.String())+" - broadcast\n")
		assert.Equal(t, state == messages.ServerState_OBSERVING, strings.Contains(mntr, "zk_observer_master_id\t3\n"), mode)
		assert.Equal(t, state == messages.ServerState_LEADING, strings.Contains(mntr, "zk_synced_followers\t"), mode)
		assert.Equal(t, "rw", Answer(Isro, s, []string{"*"}))
	}
}

func TestStatListsEveryConnection(t *testing.T) {
	s := serving()
	s.Zxid = 0x100000002
	s.PacketsReceived, s.PacketsSent = 7, 6
	s.Clients = []Client{
		{Addr: "127.0.0.1:5000", Received: 1},
		{Addr: "[::1]:6000", Interest: 1}, // still being read
	}
	got := Answer(Stat, s, []string{"stat"})
	assert.Equal(t, "Zookeeper version: 3.8.0-zkfle-v1, built on unknown\n"+
		"Clients:\n"+
		" /127.0.0.1:5000[0](queued=0,recved=1,sent=0)\n"+
		" /[0:0:0:0:0:0:0:1]:6000[1](queued=0,recved=0,sent=0)\n"+
		"\n"+
		"Latency min/avg/max: 0/0.0/0\n"+
		"Received: 7\nSent: 6\nConnections: 2\nOutstanding: 0\n"+
		"Zxid: 0x100000002\nMode: follower\nNode count: 5\n", got)
}

func TestConfJoinsMultiAddressPorts(t *testing.T) {
	s := serving()
	s.Config = ServerConfig{ElectionPorts: []int{3888, 3889}, QuorumPorts: []int{2888, 2889}, Observer: true}
	s.Membership = "server.2=a:2888:3888|b:2889:3889:observer\nversion=0"
	got := Answer(Conf, s, []string{"conf"})
	assert.Contains(t, got, "\nelectionPort=3888|3889\nquorumPort=2888|2889\npeerType=1\nmembership: \n")
	assert.True(t, strings.HasSuffix(got, "version=0"), "no newline after the membership")
}

func TestDumpBucketsConnectionsByExpiry(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 10, 0, time.UTC)
	s := serving()
	s.Now = at
	s.Clients = []Client{
		{Addr: "127.0.0.1:3", Expires: at.Add(20 * time.Second)},
		{Addr: "127.0.0.1:1", Expires: at.Add(10 * time.Second)},
		{Addr: "127.0.0.1:2", Expires: at.Add(20 * time.Second)},
	}
	assert.Equal(t, "SessionTracker dump:\nGlobal Sessions(0):\nephemeral nodes dump:\nSessions with Ephemerals (0):\n"+
		"Connections dump:\nConnections Sets (2)/(3):\n"+
		"1 expire at Wed Mar 04 05:06:20 UTC 2026:\n\tip: /127.0.0.1:1 sessionId: 0x0\n"+
		"2 expire at Wed Mar 04 05:06:30 UTC 2026:\n\tip: /127.0.0.1:3 sessionId: 0x0\n\tip: /127.0.0.1:2 sessionId: 0x0\n",
		Answer(Dump, s, []string{"dump"}))
	s.State = messages.ServerState_LEADING
	assert.Contains(t, Answer(Dump, s, []string{"dump"}), "SessionTracker dump:\nSession Sets (0)/(0):\n")
}

func TestMonitorValuesFromTheSnapshot(t *testing.T) {
	s := serving()
	s.State = messages.ServerState_LEADING
	s.Membership = "server.1=127.0.0.1:1:2:participant\nversion=0" // 44 bytes
	s.QuorumSize = 5
	s.Learners = []Learner{{ID: 1}, {ID: 4, Observer: true}, {ID: 5}}
	s.LookingCount = 3
	s.BytesReceived = 12
	s.Uptime, s.LeaderUptime = 5*time.Second, 4*time.Second
	s.ElectionTime = Summary{Count: 3, Sum: 1000, Min: 200, Max: 500}
	got := monitorValues(t, Answer(Mntr, s, []string{"mntr"}))
	assert.Equal(t, map[string]string{
		"zk_learners": "3", "zk_synced_followers": "2", "zk_synced_observers": "1",
		"zk_quorum_size": "5", "zk_looking_count": "3", "zk_bytes_received_count": "12",
		"zk_uptime": "5000", "zk_leader_uptime": "4000", "zk_num_alive_connections": "1",
		"zk_approximate_data_size": "88", "zk_avg_election_time": "333.3333",
		"zk_min_election_time": "200", "zk_max_election_time": "500",
		"zk_cnt_election_time": "3", "zk_sum_election_time": "1000",
		"zk_avg_zookeeper_write_per_namespace": "61.0",
	}, pick(got, "zk_learners", "zk_synced_followers", "zk_synced_observers", "zk_quorum_size",
		"zk_looking_count", "zk_bytes_received_count", "zk_uptime", "zk_leader_uptime",
		"zk_num_alive_connections", "zk_approximate_data_size", "zk_avg_election_time",
		"zk_min_election_time", "zk_max_election_time", "zk_cnt_election_time", "zk_sum_election_time",
		"zk_avg_zookeeper_write_per_namespace"))
	assert.Contains(t, got, "zk_avg_5_learner_handler_qp_size", "one summary per learner")
}

func TestMonitorOmitsDescriptorsItCannotRead(t *testing.T) {
	s := serving()
	got := monitorValues(t, Answer(Mntr, s, []string{"mntr"}))
	assert.NotContains(t, got, "zk_open_file_descriptor_count")
	assert.NotContains(t, got, "zk_max_file_descriptor_count")
	s.FileDescriptors = &FileDescriptors{Open: 9, Max: 1024}
	got = monitorValues(t, Answer(Mntr, s, []string{"mntr"}))
	assert.Equal(t, "9", got["zk_open_file_descriptor_count"])
	assert.Equal(t, "1024", got["zk_max_file_descriptor_count"])
}

func TestTraceMaskAndDirectories(t *testing.T) {
	s := serving()
	s.TraceMask = 498
	assert.Equal(t, "498", Answer(Gtmk, s, []string{"gtmk"}))
	assert.Equal(t, "498", Answer(Stmk, s, []string{"stmk"}))
	s.Config.DataDirSize, s.Config.DataLogSize = 10, 20
	assert.Equal(t, "datadir_size: 10\nlogdir_size: 20\n", Answer(Dirs, s, []string{"dirs"}))
}

func TestEnvironmentNamesThePlatformLikeAJVM(t *testing.T) {
	s := serving()
	s.Host = Host{Name: "zk1", OS: "darwin", Arch: "arm64", OSVersion: "23.1", User: "zk", Home: "/home/zk", WorkDir: "/srv"}
	assert.Equal(t, "Environment:\nzookeeper.version=3.8.0-zkfle-v1, built on unknown\nhost.name=zk1\n"+
		"os.name=Mac OS X\nos.arch=aarch64\nos.version=23.1\nuser.name=zk\nuser.home=/home/zk\nuser.dir=/srv\n",
		Answer(Envi, s, []string{"envi"}))
	s.Host = Host{OS: "linux", Arch: "amd64"}
	assert.Contains(t, Answer(Envi, s, []string{"envi"}), "host.name=<NA>\nos.name=Linux\nos.arch=amd64\nos.version=<NA>\n")
}

func monitorValues(t *testing.T, mntr string) map[string]string {
	t.Helper()
	require.True(t, strings.HasSuffix(mntr, "\n"))
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(mntr, "\n"), "\n") {
		k, v, ok := strings.Cut(line, "\t")
		require.True(t, ok, "line %q has no tab", line)
		_, dup := m[k]
		require.False(t, dup, "key %s printed twice", k)
		m[k] = v
	}
	return m
}

func pick(m map[string]string, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
