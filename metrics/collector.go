package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/internal/nodehooks"
	"github.com/zkfle/zkfle/messages"
)

// scrapeTimeout bounds each status query a scrape makes; a node too busy
// to answer in time is reported without those series rather than
// stalling the scrape.
const scrapeTimeout = time.Second

// Stages of malformed input, the stage label of malformed_inputs_total.
const (
	// StageHandshake: inbound connections refused during the handshake
	// (CnxStatus.rejected).
	StageHandshake = "handshake"
	// StageNotification: frame bodies that could not be decoded
	// (ReceiverStatus.malformed); the connection is then closed.
	StageNotification = "notification"
)

// OtherPeer is the peer label value that sums every sid outside the
// configuration.
const OtherPeer = "other"

// peerSeries is one peer label value's numbers.
type peerSeries struct {
	sent, received, dropped, attempts, failures uint64
	connected, pending                          int64
}

func (s *peerSeries) addStatus(p *messages.PeerStatus) {
	if p == nil {
		return
	}
	s.sent += p.GetSent()
	s.received += p.GetReceived()
	s.dropped += p.GetSendDropped()
	s.attempts += p.GetConnectAttempts()
	s.failures += p.GetConnectFailures()
	if p.GetConnected() {
		s.connected++
	}
	s.pending += int64(p.GetPending())
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
}

var (
	descState         = desc("server_state", "1 for the node's current state, 0 for the others.", "state")
	descRound         = desc("election_round", "The election's logical clock (round).")
	descElecDiscarded = desc("election_notifications_discarded_total", "Notifications the election discarded (finalize window, filters).")
	descSent          = desc("notifications_sent_total", "Notifications sent to the peer.", "peer")
	descReceived      = desc("notifications_received_total", "Notifications received from the peer.", "peer")
	descDropped       = desc("notifications_dropped_total", "Notifications to the peer replaced in its send queue (of one) before they went out.", "peer")
	descConnected     = desc("peer_connected", "1 while a connection to the peer carries frames (for peer=\"other\", how many non-members are connected).", "peer")
	descSendQueue     = desc("peer_send_queue_depth", "Notifications waiting for a connection to the peer (0 or 1; for peer=\"other\", summed).", "peer")
	descAttempts      = desc("peer_connect_attempts_total", "Outbound connection attempts to the peer.", "peer")
	descFailures      = desc("peer_connect_failures_total", "Outbound connection attempts to the peer that failed.", "peer")
	descRecvQueue     = desc("receive_queue_depth", "Notifications waiting in the receive queue.")
	descRecvCapacity  = desc("receive_queue_capacity", "The receive queue's capacity (100 in ZooKeeper).")
	descRecvDropped   = desc("receive_queue_dropped_total", "Notifications dropped because the receive queue was full (oldest first).")
	descMalformed     = desc("malformed_inputs_total", "Malformed inputs by stage and reason.", "stage", "reason")
	descRestarts      = desc("actor_restarts_total", "Actor restarts after a failure, by actor kind.", "kind")
	descActorFailures = desc("actor_failures_total", "Actor failures (panics caught by a supervisor), by actor kind.", "kind")
	descMessages      = desc("actor_messages_processed_total", "Messages the node's actors processed.")
	descDiskFault     = desc("disk_fault", "1 while the node cannot persist its epoch files (it votes but does not stand for leader), else 0.")
	descTLSEnabled    = desc("tls_enabled", "1 when the election and quorum ports speak TLS (sslQuorum), else 0.")
	descTLSFailures   = desc("tls_handshake_failures_total", "TLS connections refused on the election or quorum port, by reason (either side).", "port", "reason")
	descTLSNotAfter   = desc("tls_certificate_not_after_seconds", "Expiry time (unix seconds) of the certificate the node presents on the quorum ports.")
)

// nodeCollector reads a node's status at scrape time.
type nodeCollector struct{ node *actors.Node }

func newNodeCollector(n *actors.Node) *nodeCollector { return &nodeCollector{node: n} }

// Describe sends every metric's description.
func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descState, descRound, descElecDiscarded, descSent, descReceived,
		descDropped, descConnected, descSendQueue, descAttempts, descFailures, descRecvQueue,
		descRecvCapacity, descRecvDropped, descMalformed, descRestarts, descActorFailures, descMessages,
		descDiskFault, descTLSEnabled, descTLSFailures, descTLSNotAfter} {
		ch <- d
	}
}

// Collect queries the node and sends the current values.
func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	state := c.node.Status().State
	for _, name := range stateNames(state) {
		gauge(descState, b2f(name == state.String()), name)
	}
	counter(descMessages, nodehooks.Of(c.node).MessagesProcessed())
	_, faulted := c.node.DiskFault()
	gauge(descDiskFault, b2f(faulted))
	c.collectTLS(gauge, counter)
	failures, restarts := c.node.Supervision()
	for _, kind := range kinds(failures, restarts) {
		counter(descRestarts, restarts[kind], string(kind))
		counter(descActorFailures, failures[kind], string(kind))
	}
	if es, err := c.node.ElectionStatus(scrapeTimeout); err == nil {
		gauge(descRound, float64(es.GetLogicalClock()))
		counter(descElecDiscarded, es.GetDropped())
	}
	malformed := map[[2]string]uint64{}
	for _, r := range notificationDropReasons() {
		malformed[[2]string{StageNotification, r}] = 0
	}
	if cs, err := c.node.CnxStatus(scrapeTimeout); err == nil {
		emit := func(peer string, p *peerSeries) {
			counter(descSent, p.sent, peer)
			counter(descReceived, p.received, peer)
			counter(descDropped, p.dropped, peer)
			counter(descAttempts, p.attempts, peer)
			counter(descFailures, p.failures, peer)
			gauge(descConnected, float64(p.connected), peer)
			gauge(descSendQueue, float64(p.pending), peer)
		}
		// Configured sids get a label value each; every other sid (probes,
		// a spray of made-up sids) is summed under one, so a remote peer
		// cannot grow the exposition. Non-members forgotten by the node's
		// bounded table stay in the sum, so its counters never go back.
		other := &peerSeries{}
		other.addStatus(cs.GetNonMembersPruned())
		for _, p := range cs.GetPeers() {
			if !p.GetMember() {
				other.addStatus(p)
				continue
			}
			one := &peerSeries{}
			one.addStatus(p)
			emit(strconv.FormatInt(p.GetSid(), 10), one)
		}
		emit(OtherPeer, other)
		for reason, n := range cs.GetRejected() {
			malformed[[2]string{StageHandshake, reason}] += n
		}
	}
	if rs, err := history.ReceiverStatus(c.node, scrapeTimeout); err == nil {
		gauge(descRecvQueue, float64(rs.GetQueued()))
		gauge(descRecvCapacity, float64(rs.GetCapacity()))
		counter(descRecvDropped, rs.GetQueueDropped())
		for reason, n := range rs.GetMalformed() {
			malformed[[2]string{StageNotification, reason}] += n
		}
	}
	for k, n := range malformed {
		counter(descMalformed, n, k[0], k[1])
	}
}

// stateNames lists ZooKeeper's four states plus the current one if it is
// a value this build does not know (proto3 enums are open).
func stateNames(current messages.ServerState) []string {
	names := make([]string, 0, len(messages.ServerState_name)+1)
	for v := range int32(len(messages.ServerState_name)) {
		names = append(names, messages.ServerState(v).String())
	}
	if _, known := messages.ServerState_name[int32(current)]; !known {
		names = append(names, current.String())
	}
	return names
}

// kinds lists every known actor kind plus any other the node reports, so
// that every kind has a series (at 0) before its first restart.
func kinds(maps ...map[actors.Kind]uint64) []actors.Kind {
	out := append([]actors.Kind(nil), actors.AllKinds...)
	seen := map[actors.Kind]bool{}
	for _, k := range out {
		seen[k] = true
	}
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// notificationDropReasons are the DropReason names a receiver can count,
// so each has a series at 0 before the first bad body arrives.
func notificationDropReasons() []string {
	var out []string
	for v, name := range messages.DropReason_name {
		if v != int32(messages.DropReason_DROP_REASON_UNSPECIFIED) {
			out = append(out, name)
		}
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// collectTLS sends the quorum TLS series: whether it is on, and with it
// the refused connections per port and reason (a closed set: every pair
// is sent, at 0 until the first) and the presented certificate's expiry.
func (c *nodeCollector) collectTLS(gauge func(*prometheus.Desc, float64, ...string),
	counter func(*prometheus.Desc, uint64, ...string)) {
	st := c.node.TLSStatus()
	gauge(descTLSEnabled, b2f(st.Enabled))
	if !st.Enabled {
		return
	}
	for _, port := range actors.TLSPorts {
		for _, reason := range actors.TLSFailureReasons {
			counter(descTLSFailures, st.Failures[port][reason], port, reason)
		}
	}
	if !st.NotAfter.IsZero() {
		gauge(descTLSNotAfter, float64(st.NotAfter.Unix()))
	}
}
