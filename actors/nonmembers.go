package actors

import (
	"log/slog"
	"net"

	"github.com/zkfle/zkfle/messages"
)

// nonMemberTableSize bounds how many sids outside the configuration the
// connection manager keeps state for (send queue, last message, counters,
// live link: cnx.Config.NonMemberLimit). ZooKeeper keeps a send queue per sid that ever connected,
// forever: a spray of distinct sids then grows memory and, here, the
// metrics without bound. Election probes and observers missing from the
// configuration are few; 64 leaves room for them.
const nonMemberTableSize = 64

// add folds one peer's counters into a running total.
func (p *peerStats) add(o *peerStats) {
	p.sent += o.sent
	p.sendDropped += o.sendDropped
	p.connectAttempts += o.connectAttempts
	p.connectFailures += o.connectFailures
	p.received.Add(o.received.Load())
}

// logConn logs a connection event. Members' events are logged at INFO
// every time, as ZooKeeper does; a stranger's are rate-limited per source
// address, so that a spray of connections costs a few lines.
func (c *cnxManager) logConn(sid int64, remote, msg, reason string, args ...any) {
	if c.core.IsMember(sid) {
		c.rt.log.Info(msg, append([]any{"peer", sid, "remote", remote}, args...)...)
		return
	}
	c.rt.warnings().Log(slog.LevelInfo, msg, sourceIP(remote), reason, append([]any{"peer", sid, "remote", remote}, args...)...)
}

// malformedClose reports whether a connection ended because the peer sent
// something that is not a valid frame or notification. The Peer logs
// those, rate-limited per source; the connection manager does not repeat
// them.
func malformedClose(r messages.CloseReason) bool {
	return r == messages.CloseReason_MALFORMED_NOTIFICATION || r == messages.CloseReason_BAD_FRAME_LENGTH
}

// sourceIP is the host part of a host:port address (the address itself if
// it has no port): rate-limited logs are keyed by the source's IP, not by
// its ephemeral port.
func sourceIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
