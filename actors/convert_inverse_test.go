package actors

import (
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
)

// The inverses of convert.go's conversions: production never converts in
// this direction, the round-trip tests do.

// notificationToProto is the inverse of notificationFromProto for the five
// wire fields and the version. The config is left empty: the WorkerSender
// attaches our own committed config to everything it sends.
func notificationToProto(n fle.Notification) *messages.Notification {
	return &messages.Notification{
		State:         stateToProto(n.State),
		Leader:        n.Leader,
		Zxid:          n.Zxid,
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
		State:         stateFromProto(n.GetState()),
		Leader:        n.GetLeader(),
		Zxid:          n.GetZxid(),
		ElectionEpoch: n.GetElectionEpoch(),
		PeerEpoch:     n.GetPeerEpoch(),
	}
}

func voteFromProto(v *messages.Vote) fle.Vote {
	return fle.Vote{
		Version:       v.GetVersion(),
		Leader:        v.GetLeader(),
		Zxid:          v.GetZxid(),
		ElectionEpoch: v.GetElectionEpoch(),
		PeerEpoch:     v.GetPeerEpoch(),
		State:         stateFromProto(v.GetState()),
	}
}

func decisionFromProto(d *messages.Decision) fle.Decision {
	return fle.Decision{
		Leader:        d.GetLeader(),
		Zxid:          d.GetZxid(),
		ElectionEpoch: d.GetElectionEpoch(),
		PeerEpoch:     d.GetPeerEpoch(),
		State:         stateFromProto(d.GetState()),
	}
}
