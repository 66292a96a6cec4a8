package netbridge

import (
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// notificationToMessage converts a decoded body into the typed message the
// actors exchange. The state code is kept as is, known or not (proto3
// enums are open), because ZooKeeper drops unknown states only after its
// voter check. DecodeNotification has already copied Config out of the
// frame buffer, so the message shares nothing with the reader.
func notificationToMessage(n *electionwire.Notification) *messages.Notification {
	return &messages.Notification{
		State:         messages.ServerStateOf(n.State),
		Leader:        n.Leader,
		Zxid:          n.Zxid,
		ElectionEpoch: n.ElectionEpoch,
		PeerEpoch:     n.PeerEpoch,
		Version:       n.Version,
		Config:        n.Config,
		WireSize:      int32(n.Size),
	}
}

// messageToNotification converts an outbound typed notification into the
// codec's form. Version selects the layout (see AppendEncode).
func messageToNotification(m *messages.Notification) electionwire.Notification {
	return electionwire.Notification{
		State:         m.GetState().Zk(),
		Leader:        m.GetLeader(),
		Zxid:          m.GetZxid(),
		ElectionEpoch: m.GetElectionEpoch(),
		PeerEpoch:     m.GetPeerEpoch(),
		Version:       m.GetVersion(),
		Config:        m.GetConfig(),
	}
}
