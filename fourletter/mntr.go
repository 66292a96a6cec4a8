package fourletter

import (
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/messages"
)

// The data tree of an empty ZooKeeper server: the nodes "", "/",
// "/zookeeper", "/zookeeper/quota" and "/zookeeper/config", whose paths
// total 44 bytes; the config node holds the membership text.
const (
	emptyTreeNodes     = 5
	emptyTreePathBytes = 0 + 1 + 10 + 16 + 17
	configZnodePath    = "/zookeeper/config"
)

// roles says which server roles print a gauge.
type roles uint8

const (
	leaderOnly roles = 1 << iota
	learnersToo
	allRoles = leaderOnly | learnersToo
)

// gauge is one registered gauge: its name (without "zk_"), who prints
// it, and its value; ok=false leaves the key out, as ZooKeeper does for a
// gauge whose value is null.
type gauge struct {
	name  string
	roles roles
	value func(s *Snapshot) (v string, ok bool)
}

func constant(v string) func(*Snapshot) (string, bool) {
	return func(*Snapshot) (string, bool) { return v, true }
}

func integer(f func(s *Snapshot) int64) func(*Snapshot) (string, bool) {
	return func(s *Snapshot) (string, bool) { return strconv.FormatInt(f(s), 10), true }
}

func learnerCount(observers bool) func(*Snapshot) (string, bool) {
	return integer(func(s *Snapshot) int64 {
		var n int64
		for _, l := range s.Learners {
			if l.Observer == observers {
				n++
			}
		}
		return n
	})
}

func descriptors(f func(*FileDescriptors) int64) func(*Snapshot) (string, bool) {
	return func(s *Snapshot) (string, bool) {
		if s.FileDescriptors == nil {
			return "", false
		}
		return strconv.FormatInt(f(s.FileDescriptors), 10), true
	}
}

// mntrGauges are the gauges in ZooKeeper 3.8.0's printing order (a
// ConcurrentHashMap's, copied from the captured answers). Leaders
// register nine more than learners. What zkfle cannot know (sessions,
// watches, latencies, proposal sizes) is an empty server's value.
var mntrGauges = []gauge{
	{"ephemerals_count", allRoles, constant("0")},
	{"num_alive_connections", allRoles, integer(func(s *Snapshot) int64 { return int64(len(s.Clients)) })},
	{"avg_latency", allRoles, constant(javaDouble(average(0, 0)))},
	{"min_proposal_size", leaderOnly, constant("-1")},
	{"outstanding_requests", allRoles, constant("0")},
	{"znode_count", allRoles, constant(strconv.Itoa(emptyTreeNodes))},
	{"global_sessions", allRoles, constant("0")},
	{"non_mtls_remote_conn_count", allRoles, constant("0")},
	{"last_client_response_size", allRoles, constant("-1")},
	{"packets_sent", allRoles, integer(func(s *Snapshot) int64 { return s.PacketsSent })},
	{"packets_received", allRoles, integer(func(s *Snapshot) int64 { return s.PacketsReceived })},
	{"max_proposal_size", leaderOnly, constant("-1")},
	{"max_client_response_size", allRoles, constant("-1")},
	{"synced_followers", leaderOnly, learnerCount(false)},
	{"connection_drop_probability", allRoles, constant("0.0")},
	{"watch_count", allRoles, constant("0")},
	// Followers not in the voting view (during a reconfig): none.
	{"synced_non_voting_followers", leaderOnly, constant("0")},
	{"synced_observers", leaderOnly, learnerCount(true)},
	{"auth_failed_count", allRoles, constant("0")},
	{"min_latency", allRoles, constant("0")},
	{"max_file_descriptor_count", allRoles, descriptors(func(f *FileDescriptors) int64 { return f.Max })},
	{"approximate_data_size", allRoles, integer(approximateDataSize)},
	{"open_file_descriptor_count", allRoles, descriptors(func(f *FileDescriptors) int64 { return f.Open })},
	{"last_proposal_size", leaderOnly, constant("-1")},
	{"pending_syncs", leaderOnly, constant("0")},
	{"leader_uptime", leaderOnly, integer(func(s *Snapshot) int64 { return s.LeaderUptime.Milliseconds() })},
	{"local_sessions", allRoles, constant("0")},
	{"uptime", allRoles, integer(func(s *Snapshot) int64 { return s.Uptime.Milliseconds() })},
	{"max_latency", allRoles, constant("0")},
	{"outstanding_tls_handshake", allRoles, constant("0")},
	{"learners", leaderOnly, integer(func(s *Snapshot) int64 { return int64(len(s.Learners)) })},
	{"min_client_response_size", allRoles, constant("-1")},
	{"non_mtls_local_conn_count", allRoles, constant("0")},
	{"quorum_size", allRoles, integer(func(s *Snapshot) int64 { return int64(s.QuorumSize) })},
}

// approximateDataSize is DataTree.approximateDataSize for an empty tree:
// every path's length plus every node's data, which is only the
// membership text in /zookeeper/config.
func approximateDataSize(s *Snapshot) int64 {
	return int64(emptyTreePathBytes + len(s.Membership))
}

// monitor writes mntr: MonitorCommand prints the server's monitor values
// (version, state, peer state, an observer's master), then every metric
// of the metrics provider: gauges, counters, summaries, summary sets.
func monitor(b *strings.Builder, s *Snapshot) {
	put := func(key, value string) { b.WriteString("zk_" + key + "\t" + value + "\n") }
	put("version", s.Version)
	put("server_state", mode(s.State))
	// QuorumPeer.getDetailedPeerState: zkfle has no Zab phases, and a
	// decided node serves in its role, which ZooKeeper calls broadcast.
	put("peer_state", strings.ToLower(s.State.String())+" - broadcast")
	if s.State == messages.ServerState_OBSERVING {
		put("observer_master_id", strconv.FormatInt(s.LeaderID, 10))
	}
	leader := s.State == messages.ServerState_LEADING
	for _, g := range mntrGauges {
		if g.roles == leaderOnly && !leader {
			continue
		}
		if v, ok := g.value(s); ok {
			put(g.name, v)
		}
	}
	for _, name := range mntrCounters {
		put(name, strconv.FormatInt(counterValue(s, name), 10))
	}
	for _, name := range mntrBasicSummaries {
		summary(put, name, summaryValue(s, name), false)
	}
	for _, name := range mntrSummaries {
		summary(put, name, Summary{}, true)
	}
	// Summary sets, "<key>_<name>": a leader's learner handler queue
	// sizes per learner (nothing queued through zkfle), then the bytes
	// written per namespace: the one write of /zookeeper/config.
	order := learnerOrder(s)
	if leader {
		for _, key := range order {
			summary(put, key+"_learner_handler_qp_size", Summary{}, false)
		}
	}
	configWrite := int64(len(configZnodePath) + len(s.Membership))
	summary(put, "zookeeper_write_per_namespace", Summary{Count: 1, Sum: configWrite, Min: configWrite, Max: configWrite}, false)
	if leader {
		for _, key := range order {
			summary(put, key+"_learner_handler_qp_time_ms", Summary{}, true)
		}
	}
	if t := s.TLS; t != nil {
		b.WriteString(TLSEnabledKey + "\t1\n")
		if !t.NotAfter.IsZero() {
			b.WriteString(TLSNotAfterKey + "\t" + strconv.FormatInt(t.NotAfter.Unix(), 10) + "\n")
		}
	}
}

// The mntr keys zkfle adds when quorum TLS is on (absent when it is off,
// so a plaintext node's answer is ZooKeeper's).
const (
	// TLSEnabledKey is 1 when the quorum ports speak TLS.
	TLSEnabledKey = "zk_zkfle_tls_enabled"
	// TLSNotAfterKey is the presented certificate's expiry, unix seconds.
	TLSNotAfterKey = "zk_zkfle_tls_cert_not_after"
)

// counterValue is a counter's value: the two zkfle counts, 0 for the rest.
func counterValue(s *Snapshot, name string) int64 {
	switch name {
	case "looking_count":
		return s.LookingCount
	case "bytes_received_count":
		return s.BytesReceived
	}
	return 0
}

// summaryValue is a basic summary's value: zkfle measures elections and
// the unavailability they cause; nothing else happens on a zkfle node.
func summaryValue(s *Snapshot, name string) Summary {
	switch name {
	case "election_time":
		return s.ElectionTime
	case "unavailable_time":
		return s.UnavailableTime
	case "leader_unavailable_time":
		return s.LeaderUnavailableTime
	}
	return Summary{}
}

// summary writes AvgMinMaxCounter.values() (avg, min, max, cnt, sum) and,
// for a percentile summary, p50/p95/p99/p999 (0: zkfle keeps no samples
// for the summaries it prints that way).
func summary(put func(key, value string), name string, v Summary, percentiles bool) {
	put("avg_"+name, javaDouble(average(v.Sum, v.Count)))
	put("min_"+name, strconv.FormatInt(v.Min, 10))
	put("max_"+name, strconv.FormatInt(v.Max, 10))
	put("cnt_"+name, strconv.FormatInt(v.Count, 10))
	put("sum_"+name, strconv.FormatInt(v.Sum, 10))
	if percentiles {
		for _, p := range []string{"p50_", "p95_", "p99_", "p999_"} {
			put(p+name, "0")
		}
	}
}
