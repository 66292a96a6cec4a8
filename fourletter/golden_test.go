package fourletter

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// The golden tests compare Answer with what a real ZooKeeper 3.8.0 wrote
// (testdata/zk38, see its README), line by line, after masking only the
// fields the README lists as varying. The snapshot each answer is built
// from describes the captured server: its zoo.cfg and its role.

const captureDir = "testdata/zk38"

// scenario is one captured server.
type scenario struct {
	prefix    string // capture file prefix
	cfg       string // its zoo.cfg
	id        int64
	state     messages.ServerState
	leader    int64
	whitelist []string
}

func scenarios(t *testing.T) []scenario {
	t.Helper()
	roles := map[string]string{}
	for _, field := range strings.Fields(readCapture(t, "roles.txt")) {
		k, v, _ := strings.Cut(field, "=")
		roles[k] = v
	}
	id := func(role string) int64 {
		n, err := strconv.ParseInt(roles[role], 10, 64)
		require.NoError(t, err, "roles.txt: %s", role)
		return n
	}
	leader, follower, observer := id("leader"), id("follower"), id("observer")
	ensCfg := func(sid int64) string { return "ens-s" + strconv.FormatInt(sid, 10) + "-zoo.cfg" }
	all := []string{"*"}
	var restrictedState messages.ServerState
	switch roles["restricted"] {
	case "leader":
		restrictedState = messages.ServerState_LEADING
	case "follower":
		restrictedState = messages.ServerState_FOLLOWING
	default:
		t.Fatalf("roles.txt: restricted=%q", roles["restricted"])
	}
	restricted := whitelistOf(t, "restricted-zoo.cfg")
	return []scenario{
		{"leader", ensCfg(leader), leader, messages.ServerState_LEADING, leader, all},
		{"follower", ensCfg(follower), follower, messages.ServerState_FOLLOWING, leader, all},
		{"observer", ensCfg(observer), observer, messages.ServerState_OBSERVING, leader, all},
		{"looking", "looking-zoo.cfg", 1, messages.ServerState_LOOKING, 0, all},
		{"restricted", "restricted-zoo.cfg", 1, restrictedState, 0, restricted},
		{"restricted-looking", "restricted-looking-zoo.cfg", 1, messages.ServerState_LOOKING, 0, restricted},
	}
}

func readCapture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(captureDir, name))
	require.NoError(t, err)
	return string(b)
}

func properties(t *testing.T, cfg string) map[string]string {
	t.Helper()
	props, err := quorum.ReadProperties(readCapture(t, cfg))
	require.NoError(t, err)
	m := map[string]string{}
	for _, p := range props {
		m[p.Key] = p.Value
	}
	return m
}

func whitelistOf(t *testing.T, cfg string) []string {
	t.Helper()
	return []string{properties(t, cfg)["4lw.commands.whitelist"]}
}

// verifierOf parses the server lines of a zoo.cfg.
func verifierOf(t *testing.T, cfg string) quorum.Verifier {
	t.Helper()
	props, err := quorum.ReadProperties(readCapture(t, cfg))
	require.NoError(t, err)
	var lines []string
	for _, p := range props {
		if strings.HasPrefix(p.Key, "server.") {
			lines = append(lines, p.Key+"="+p.Value)
		}
	}
	v, err := quorum.ParseConfig(strings.Join(lines, "\n"))
	require.NoError(t, err)
	return v
}

// captureTraceMask is the mask capture.sh sends with stmk.
const captureTraceMask = 0x1f2

// snapshotOf describes a captured server the way package clientport
// would. Counters that depend on how often the capture script polled the
// server are masked in the comparison, so they get plausible values here.
func snapshotOf(t *testing.T, sc scenario, name string) Snapshot {
	t.Helper()
	props := properties(t, sc.cfg)
	v := verifierOf(t, sc.cfg)
	me, ok := v.Server(sc.id)
	require.True(t, ok, "server %d in %s", sc.id, sc.cfg)
	tick, err := strconv.Atoi(props["tickTime"])
	require.NoError(t, err)
	port, err := strconv.Atoi(props["clientPort"])
	require.NoError(t, err)
	atoi := func(key string) int {
		n, err := strconv.Atoi(props[key])
		require.NoError(t, err, key)
		return n
	}
	s := Snapshot{
		ServerID: sc.id,
		State:    sc.state,
		LeaderID: sc.leader,
		Version:  FullVersion("v0.0.0-test", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)),
		Config: ServerConfig{
			ClientPort:        port,
			ClientPortAddress: props["clientPortAddress"],
			DataDir:           props["dataDir"],
			DataLogDir:        props["dataDir"],
			TickTime:          time.Duration(tick) * time.Millisecond,
			MaxClientCnxns:    DefaultMaxClientCnxns,
			MinSessionTimeout: 2 * time.Duration(tick) * time.Millisecond,
			MaxSessionTimeout: 20 * time.Duration(tick) * time.Millisecond,
			InitLimit:         atoi("initLimit"),
			SyncLimit:         atoi("syncLimit"),
			ElectionAlg:       ElectionAlgorithm,
			Observer:          me.Type == quorum.Observer,
		},
		Membership:      v.String(),
		QuorumSize:      len(v.VotingMembers()),
		PacketsReceived: 3,
		PacketsSent:     2,
		BytesReceived:   40,
		Clients: []Client{{Addr: "127.0.0.1:40000", Received: 1,
			Expires: time.Date(2026, 11, 25, 20, 23, 36, 0, time.UTC)}},
		Uptime:          3 * time.Second,
		LookingCount:    1,
		ElectionTime:    Summary{Count: 1, Sum: 300, Min: 300, Max: 300},
		UnavailableTime: Summary{Count: 1, Sum: 700, Min: 700, Max: 700},
		FileDescriptors: &FileDescriptors{Open: 40, Max: 1024},
		TraceMask:       DefaultTraceMask,
		Now:             time.Date(2026, 11, 25, 20, 23, 26, 0, time.UTC),
		Host:            Host{Name: "localhost", OS: "linux", Arch: "amd64", User: "root", Home: "/root", WorkDir: "/"},
	}
	for _, a := range me.Addrs {
		s.Config.ElectionPorts = append(s.Config.ElectionPorts, a.ElectionPort)
		s.Config.QuorumPorts = append(s.Config.QuorumPorts, a.QuorumPort)
	}
	if sc.state == messages.ServerState_OBSERVING {
		// Observers do not record the election's time (only Leader.lead
		// and Follower.followLeader do).
		s.ElectionTime = Summary{}
	}
	if sc.state == messages.ServerState_LEADING {
		s.LeaderUptime = 2 * time.Second
		s.LeaderUnavailableTime = s.UnavailableTime
		for _, srv := range v.Servers() {
			if srv.ID != sc.id {
				s.Learners = append(s.Learners, Learner{ID: srv.ID, Observer: srv.Type == quorum.Observer})
			}
		}
	}
	if name == "stmk" || name == "gtmk2" { // stmk set the mask; gtmk2 reads it back
		s.TraceMask = captureTraceMask
	}
	return s
}

// wordOf is the word (the first four bytes) capture.sh sent for a name.
func wordOf(name string) string {
	switch name {
	case "telnetclose":
		return TelnetClose
	case "gtmk2":
		return Gtmk
	case "srvrnl":
		return Srvr
	}
	return name
}

// The masks: each regexp's matches are replaced in both texts. Only what
// the README lists as varying is masked.
var masks = []struct {
	re   *regexp.Regexp
	repl string
}{
	// The build: ZooKeeper's Debian build vs zkfle's, same shape.
	{regexp.MustCompile(`^(Zookeeper version: |zk_version\t|zookeeper\.version=)3\.8\.0-\S+, built on (\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC|unknown)$`), "${1}3.8.0-<build>"},
	// Per-run counters (how often the capture script polled).
	{regexp.MustCompile(`^(Received|Sent): \d+$`), "$1: <n>"},
	// The last zxid depends on how far Zab got when the word was asked.
	{regexp.MustCompile(`^Zxid: 0x[0-9a-f]+$`), "Zxid: <zxid>"},
	// The client's ephemeral port.
	{regexp.MustCompile(`^( /|\tip: /)127\.0\.0\.1:\d+`), "${1}127.0.0.1:<port>"},
	// Bytes of snapshots and logs on disk (zkfle writes none).
	{regexp.MustCompile(`^(dataDirSize|dataLogSize)=\d+$`), "$1=<bytes>"},
	{regexp.MustCompile(`^(datadir_size|logdir_size): \d+$`), "$1: <bytes>"},
	// Connection expiry: clock time, and ZooKeeper's emptied buckets.
	{regexp.MustCompile(`^(\d+) expire at [A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [A-Z]+ \d{4}:$`), "$1 expire at <date>:"},
	{regexp.MustCompile(`^Connections Sets \(\d+\)/`), "Connections Sets (<n>)/"},
	// envi: this machine and process.
	{regexp.MustCompile(`^(host\.name|os\.version|user\.name|user\.home|user\.dir)=.*$`), "$1=<host>"},
	// mntr: process, timing and Zab-sync values.
	{regexp.MustCompile(`^zk_(` + strings.Join(varyingMonitorKeys, "|") + `)\t-?[0-9.]+$`), "zk_$1\t<varies>"},
}

// varyingMonitorKeys are the mntr keys whose value the README lists as
// varying (regular expressions over the key without "zk_").
var varyingMonitorKeys = []string{
	`uptime`, `leader_uptime`, `open_file_descriptor_count`, `max_file_descriptor_count`,
	`packets_sent`, `packets_received`, `bytes_received_count`,
	// Learner sync: how the leader brought each learner up to date.
	`diff_count`, `snap_count`,
	// Timings zkfle measures too: their count must agree, not the ms.
	`(avg|min|max|sum)_(election_time|unavailable_time|leader_unavailable_time)`,
	// Work ZooKeeper does at start-up and during sync, which zkfle does not.
	`(avg|min|max|cnt|sum)_(dbinittime|snapshottime|startup_snap_load_time|follower_sync_time|observer_sync_time|` +
		`inflight_snap_count|inflight_diff_count|sync_processor_queue_size|prep_processor_queue_size|` +
		`learner_request_processor_queue_size)`,
	`(avg|min|max|cnt|sum|p50|p95|p99|p999)_\d+_learner_handler_qp_(size|time_ms)`,
	`(cnt|sum)_zookeeper_write_per_namespace`,
}

// dropped are lines of ZooKeeper's answers with no zkfle counterpart,
// removed before comparing: JVM properties, and expiry buckets already
// emptied.
var dropped = regexp.MustCompile(`^(java\.[a-z.]+|os\.memory\.[a-z]+)=|^0 expire at `)

// normalise masks text and splits it into lines, keeping whether it ends
// with a newline (the last element is then "").
func normalise(text string, fromZooKeeper bool) []string {
	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if fromZooKeeper && dropped.MatchString(l) {
			continue
		}
		for _, m := range masks {
			l = m.re.ReplaceAllString(l, m.repl)
		}
		out = append(out, l)
	}
	return out
}

// assertSameLines reports the lines that differ (the answers are long:
// printing both in full would bury the difference).
func assertSameLines(t *testing.T, want, got []string) {
	t.Helper()
	shown := 0
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g || i >= len(want) || i >= len(got) {
			if shown < 10 {
				t.Errorf("line %d: ZooKeeper %q, zkfle %q", i+1, w, g)
			}
			shown++
		}
	}
	if shown > 0 {
		t.Errorf("%d lines differ (ZooKeeper %d lines, zkfle %d)", shown, len(want), len(got))
	}
}

func TestAnswersMatchZooKeeper38(t *testing.T) {
	compared := 0
	for _, sc := range scenarios(t) {
		files, err := filepath.Glob(filepath.Join(captureDir, sc.prefix+"-*.txt"))
		require.NoError(t, err)
		for _, f := range files {
			name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), sc.prefix+"-"), ".txt")
			if strings.Contains(name, "-") {
				continue // another scenario's file ("restricted-looking-..." for "restricted")
			}
			t.Run(sc.prefix+"/"+name, func(t *testing.T) {
				want := readCapture(t, filepath.Base(f))
				got := Answer(wordOf(name), snapshotOf(t, sc, name), sc.whitelist)
				assertSameLines(t, normalise(want, true), normalise(got, false))
			})
			compared++
		}
	}
	// 23 names asked of each of the six servers.
	assert.Equal(t, 6*23, compared)
}

// The masks must not hide a difference: a wrong value in an unmasked
// field, or a malformed one in a masked field, is still caught.
func TestMasksKeepWhatIsNotVarying(t *testing.T) {
	sc := scenarios(t)[0] // the leader
	want := normalise(readCapture(t, "leader-srvr.txt"), true)
	s := snapshotOf(t, sc, "srvr")

	wrongMode := s
	wrongMode.State = messages.ServerState_FOLLOWING
	assert.NotEqual(t, want, normalise(Answer(Srvr, wrongMode, sc.whitelist), false))

	badVersion := s
	badVersion.Version = "zkfle dev"
	assert.NotEqual(t, want, normalise(Answer(Srvr, badVersion, sc.whitelist), false))

	wantMntr := normalise(readCapture(t, "leader-mntr.txt"), true)
	noLearners := snapshotOf(t, sc, "mntr")
	noLearners.Learners = noLearners.Learners[:1]
	assert.NotEqual(t, wantMntr, normalise(Answer(Mntr, noLearners, sc.whitelist), false))
}
