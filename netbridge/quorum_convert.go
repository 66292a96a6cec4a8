package netbridge

import (
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// QuorumPacketToProto converts a jute QuorumPacket into its message form,
// keeping jute's null buffer and null vector apart from empty ones.
func QuorumPacketToProto(p quorumwire.Packet) *messages.QuorumPacket {
	out := &messages.QuorumPacket{
		Type:         int32(p.Type),
		Zxid:         p.Zxid,
		Data:         p.Data,
		NullData:     p.Data == nil,
		NullAuthinfo: p.AuthInfo == nil,
	}
	for _, id := range p.AuthInfo {
		out.Authinfo = append(out.Authinfo, &messages.AuthID{Scheme: id.Scheme, Id: id.ID})
	}
	return out
}

// QuorumPacketFromProto is the inverse of QuorumPacketToProto.
func QuorumPacketFromProto(m *messages.QuorumPacket) quorumwire.Packet {
	p := quorumwire.Packet{Type: quorumwire.PacketType(m.GetType()), Zxid: m.GetZxid()}
	if !m.GetNullData() {
		p.Data = m.GetData()
		if p.Data == nil {
			p.Data = []byte{}
		}
	}
	if !m.GetNullAuthinfo() {
		p.AuthInfo = make([]quorumwire.ID, 0, len(m.GetAuthinfo()))
		for _, id := range m.GetAuthinfo() {
			p.AuthInfo = append(p.AuthInfo, quorumwire.ID{Scheme: id.GetScheme(), ID: id.GetId()})
		}
	}
	return p
}
