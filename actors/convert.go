package actors

import (
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Conversions between the typed messages actors exchange and the values the
// pure election machine (fle/) works with. States convert through
// messages' one converter (the same ordinals on both sides), so unknown
// codes a peer sent survive the trip unchanged and the machine decides
// what to do with them, as Java's WorkerReceiver does after its voter
// check. Zxids are int64 on the protobuf side and zk.Zxid in the machine.

// notificationFromProto turns a received notification from sid into the
// machine's input. cfg is the sender's parsed config (nil when it carried
// none or it did not parse).
func notificationFromProto(sid int64, n *messages.Notification, cfg quorum.Verifier) fle.Notification {
	return fle.Notification{
		From:          sid,
		State:         n.GetState().Zk(),
		Leader:        n.GetLeader(),
		Zxid:          zk.Zxid(n.GetZxid()),
		ElectionEpoch: n.GetElectionEpoch(),
		PeerEpoch:     n.GetPeerEpoch(),
		Version:       n.GetVersion(),
		Config:        cfg,
	}
}

// sendFromMessage builds the Election's request to send m. Version and
// config are the WorkerSender's to fill in.
func sendFromMessage(m fle.Message) *messages.SendNotification {
	return &messages.SendNotification{
		Sid: m.To,
		Notification: &messages.Notification{
			State:         messages.ServerStateOf(m.State),
			Leader:        m.Leader,
			Zxid:          int64(m.Zxid),
			ElectionEpoch: m.ElectionEpoch,
			PeerEpoch:     m.PeerEpoch,
		},
	}
}

func voteToProto(v fle.Vote) *messages.Vote {
	return &messages.Vote{
		Version:       v.Version,
		Leader:        v.Leader,
		Zxid:          int64(v.Zxid),
		ElectionEpoch: v.ElectionEpoch,
		PeerEpoch:     v.PeerEpoch,
		State:         messages.ServerStateOf(v.State),
	}
}

func votesToProto(votes map[int64]fle.Vote) map[int64]*messages.Vote {
	out := make(map[int64]*messages.Vote, len(votes))
	for sid, v := range votes {
		out[sid] = voteToProto(v)
	}
	return out
}

// decisionToProto reports d, decided by server sid.
func decisionToProto(sid int64, d *fle.Decision) *messages.Decision {
	return &messages.Decision{
		Sid:           sid,
		Leader:        d.Leader,
		Zxid:          int64(d.Zxid),
		ElectionEpoch: d.ElectionEpoch,
		PeerEpoch:     d.PeerEpoch,
		State:         messages.ServerStateOf(d.State),
	}
}

// timerKindToProto and timerKindFromProto map the machine's timer kinds to
// the wire enum; anything unknown maps to the unspecified/zero kind, which
// the machine ignores as stale.
func timerKindToProto(k fle.TimerKind) messages.TimerKind {
	switch k {
	case fle.NotificationTimer:
		return messages.TimerKind_NOTIFICATION
	case fle.FinalizeTimer:
		return messages.TimerKind_FINALIZE
	case fle.LinkDownTimer:
		return messages.TimerKind_LINK_DOWN
	}
	return messages.TimerKind_TIMER_KIND_UNSPECIFIED
}

func timerKindFromProto(k messages.TimerKind) fle.TimerKind {
	switch k {
	case messages.TimerKind_NOTIFICATION:
		return fle.NotificationTimer
	case messages.TimerKind_FINALIZE:
		return fle.FinalizeTimer
	case messages.TimerKind_LINK_DOWN:
		return fle.LinkDownTimer
	}
	return 0
}

// maxCachedConfigs bounds the config cache. A healthy ensemble sends one
// distinct config string (two during a reconfig); the bound only stops a
// peer that sends a new string every time from growing our memory.
const maxCachedConfigs = 8

// configCache turns the config bytes a notification carries into a quorum
// verifier. Every peer sends the same bytes with every notification, so
// parsing each one would redo the same work hundreds of times per round.
// A string that fails to parse is cached as nil: Java then leaves the
// notification's verifier null and still counts the vote.
type configCache struct {
	parse   func(string) (quorum.Verifier, error)
	entries map[string]quorum.Verifier
}

func newConfigCache(parse func(string) (quorum.Verifier, error)) *configCache {
	return &configCache{parse: parse, entries: map[string]quorum.Verifier{}}
}

// verifier returns the parsed config, or nil when raw does not parse. err
// is the parse error the first time a bad string is seen (nil on a cache
// hit), so the caller logs each bad config once, not once per message.
func (c *configCache) verifier(raw []byte) (qv quorum.Verifier, err error) {
	key := string(raw)
	if qv, ok := c.entries[key]; ok {
		return qv, nil
	}
	qv, err = c.parse(key)
	if err != nil {
		qv = nil
	}
	if len(c.entries) >= maxCachedConfigs {
		clear(c.entries)
	}
	c.entries[key] = qv
	return qv, err
}
