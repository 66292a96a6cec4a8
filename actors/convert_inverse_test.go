package actors

import (
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zk"
)

// The inverses of convert.go's conversions: production never converts in
// this direction, the round-trip tests do.

// notificationToProto is the inverse of notificationFromProto for the five
// wire fields and the version. The config is left empty: the WorkerSender
// attaches our own committed config to everything it sends.
func notificationToProto(n fle.Notification) *messages.Notification {
	return &messages.Notification{
		State:         messages.ServerStateOf(n.State),
		Leader:        n.Leader,
		Zxid:          int64(n.Zxid),
		ElectionEpoch: n.ElectionEpoch,
		PeerEpoch:     n.PeerEpoch,
		Version:       n.Version,
	}
}

// messageFromSend is the inverse of sendFromMessage.
func messageFromSend(s *messages.SendNotification) fle.Message {
	n := s.GetNotification()
	return fle.Message{
		To:            s.GetSid(),
		State:         n.GetState().Zk(),
		Leader:        n.GetLeader(),
		Zxid:          zk.Zxid(n.GetZxid()),
		ElectionEpoch: n.GetElectionEpoch(),
		PeerEpoch:     n.GetPeerEpoch(),
	}
}

func voteFromProto(v *messages.Vote) fle.Vote {
	return fle.Vote{
		Version:       v.GetVersion(),
		Leader:        v.GetLeader(),
		Zxid:          zk.Zxid(v.GetZxid()),
		ElectionEpoch: v.GetElectionEpoch(),
		PeerEpoch:     v.GetPeerEpoch(),
		State:         v.GetState().Zk(),
	}
}

func decisionFromProto(d *messages.Decision) fle.Decision {
	return fle.Decision{
		Leader:        d.GetLeader(),
		Zxid:          zk.Zxid(d.GetZxid()),
		ElectionEpoch: d.GetElectionEpoch(),
		PeerEpoch:     d.GetPeerEpoch(),
		State:         d.GetState().Zk(),
	}
}
