package probe

import (
	"net"
	"strconv"

	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Reply is one server's answer: its state and current vote as it sent
// them.
type Reply struct {
	// Addr is the probed address, as given.
	Addr string
	// ServerID is the sid whose server.N line in the answer's config has
	// this election address (matched on host and port, else on the port
	// alone when only one member has it); 0 when none does.
	ServerID int64
	// State is the server's state, the code as it sent it (Valid is
	// false for a code ZooKeeper does not define).
	State zk.ServerState
	// Leader is the sid the server follows, leads as, or (LOOKING) the
	// last vote it decided.
	Leader int64
	// Zxid is the leader's zxid as the server knows it.
	Zxid int64
	// ElectionEpoch is the server's round (logical clock) as sent.
	ElectionEpoch int64
	// PeerEpoch is the leader's epoch as the server knows it.
	PeerEpoch int64
	// Version is the notification format version (2 for 3.5+).
	Version int32
	// Config is the server's quorum config string ("" when none).
	Config string
	// ConfigVersion is the config's version= value, -1 when the config
	// is absent or does not parse.
	ConfigVersion int64
	// Frames counts the notifications received: 2 when the server first
	// re-sent its answer to an earlier probe with the same sid.
	Frames int
}

// newReply fills a Reply from the last decoded notification.
func newReply(addr string, n *electionwire.Notification, frames int) *Reply {
	r := &Reply{
		Addr: addr, State: n.State, Leader: n.Leader, Zxid: n.Zxid,
		ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch, Version: n.Version,
		Config: string(n.Config), ConfigVersion: -1, Frames: frames,
	}
	if len(n.Config) == 0 {
		return r
	}
	qv, err := quorum.ParseConfig(r.Config)
	if err != nil {
		return r
	}
	r.ConfigVersion = qv.Version()
	r.ServerID = serverAt(qv, addr)
	return r
}

// serverAt finds the member whose election address is addr: the same
// host and port, or else the only member with that port.
func serverAt(qv quorum.Verifier, addr string) int64 {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return 0
	}
	var byPort []int64
	for _, s := range qv.Servers() {
		for _, a := range s.Addrs {
			if a.ElectionPort != port {
				continue
			}
			if a.Host == host {
				return s.ID
			}
			byPort = append(byPort, s.ID)
		}
	}
	if len(byPort) == 1 {
		return byPort[0]
	}
	return 0
}
