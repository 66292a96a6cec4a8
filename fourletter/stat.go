package fourletter

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zkfle/zkfle/messages"
)

// mode is ServerStats.getServerState for a serving server.
func mode(state messages.ServerState) string {
	switch state {
	case messages.ServerState_LEADING:
		return "leader"
	case messages.ServerState_FOLLOWING:
		return "follower"
	case messages.ServerState_OBSERVING:
		return "observer"
	default:
		return "looking" // not printed: LOOKING servers answer NotServing
	}
}

// stat writes srvr (withClients false) or stat (true), StatCommand: the
// version, for stat the client list, then ServerStats.toString, the node
// count, and for a leader its proposal sizes.
func stat(b *strings.Builder, s *Snapshot, withClients bool) {
	b.WriteString("Zookeeper version: " + s.Version + "\n")
	if withClients {
		b.WriteString("Clients:\n")
		for _, c := range s.Clients {
			connection(b, c)
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	// No client requests ever reach zkfle, so request latency is
	// AvgMinMaxCounter's empty value.
	b.WriteString("Latency min/avg/max: 0/" + javaDouble(average(0, 0)) + "/0\n")
	b.WriteString("Received: " + strconv.FormatInt(s.PacketsReceived, 10) + "\n")
	b.WriteString("Sent: " + strconv.FormatInt(s.PacketsSent, 10) + "\n")
	b.WriteString("Connections: " + strconv.Itoa(len(s.Clients)) + "\n")
	b.WriteString("Outstanding: 0\n")
	b.WriteString("Zxid: 0x" + strconv.FormatUint(uint64(s.Zxid), 16) + "\n")
	b.WriteString("Mode: " + mode(s.State) + "\n")
	b.WriteString("Node count: " + strconv.Itoa(emptyTreeNodes) + "\n")
	if s.State == messages.ServerState_LEADING {
		// BufferStats with no proposal: last/min/max all -1.
		b.WriteString("Proposal sizes last/min/max: -1/-1/-1\n")
	}
}

// connection writes one ServerCnxn.dumpConnectionInfo line (without its
// newline). A 4lw connection has no session, so the brief and full forms
// are the same.
func connection(b *strings.Builder, c Client) {
	b.WriteString(" " + javaSocketAddress(c.Addr) + "[" + strconv.FormatInt(int64(c.Interest), 16) + "]")
	b.WriteString("(queued=0,recved=" + strconv.FormatInt(c.Received, 10) +
		",sent=" + strconv.FormatInt(c.Sent, 10) + ")")
}

// connections is cons: every connection's full line.
func connections(b *strings.Builder, s *Snapshot) {
	for _, c := range s.Clients {
		connection(b, c)
		b.WriteString("\n")
	}
}

// dump is DumpCommand for an empty server: no sessions, no ephemerals,
// then NIOServerCnxnFactory's connection expiry queue, bucketed by expiry
// time in ascending order.
func dump(b *strings.Builder, s *Snapshot) {
	b.WriteString("SessionTracker dump:\n")
	if s.State == messages.ServerState_LEADING {
		b.WriteString("Session Sets (0)/(0):\n") // SessionTrackerImpl
	} else {
		b.WriteString("Global Sessions(0):\n") // LearnerSessionTracker
	}
	b.WriteString("ephemeral nodes dump:\nSessions with Ephemerals (0):\n")
	b.WriteString("Connections dump:\n")
	buckets := map[int64][]Client{}
	for _, c := range s.Clients {
		at := c.Expires.UnixMilli()
		buckets[at] = append(buckets[at], c)
	}
	times := make([]int64, 0, len(buckets))
	for at := range buckets {
		times = append(times, at)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.WriteString("Connections Sets (" + strconv.Itoa(len(buckets)) + ")/(" + strconv.Itoa(len(s.Clients)) + "):\n")
	for _, at := range times {
		cs := buckets[at]
		b.WriteString(strconv.Itoa(len(cs)) + " expire at " + javaDate(time.UnixMilli(at).In(s.Now.Location())) + ":\n")
		for _, c := range cs {
			b.WriteString("\tip: " + javaSocketAddress(c.Addr) + " sessionId: 0x0\n")
		}
	}
}
