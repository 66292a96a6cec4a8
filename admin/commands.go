package admin

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/internal/nodehooks"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// queryTimeout bounds each status query a command makes of the node.
const queryTimeout = time.Second

// Options is what the admin endpoint serves.
type Options struct {
	// Node is the node to report on (required).
	Node *actors.Node
	// Recorder holds the node's election history (required; see
	// history.Watch).
	Recorder *history.Recorder
	// Verifier is the ensemble, for voting_view and leader_ip; nil gives
	// an empty view and no leader_ip.
	Verifier quorum.Verifier
	// Version is reported by stat; "" means zkfle's own version string
	// (the one `node version` prints and srvr prints in ZooKeeper's form).
	Version string
	// Logger receives a line per failed request; nil means slog.Default().
	Logger *slog.Logger
}

// ErrNotServing is the error of commands that need a decided node (leader)
// while it is LOOKING. Its text is ZooKeeper's.
var ErrNotServing = errors.New("server is not initialized")

// errUnavailable marks a node query that failed (the node is stopping):
// the answer is 503.
type errUnavailable struct{ err error }

func (e errUnavailable) Error() string { return "node unavailable: " + e.err.Error() }
func (e errUnavailable) Unwrap() error { return e.err }

// command is one admin command: it fills its answer or fails.
type command struct {
	name        string
	aliases     []string
	description string
	run         func(o *Options) (any, error)
}

// commands lists every command; ZooKeeper's names and aliases first.
var commands = []command{
	{"ruok", nil, "Tests if the server is running (ZooKeeper: ruok).", runRuok},
	{"stat", []string{"stats", "srvr"}, "State, current vote, proposal, epochs and round.", runStat},
	{"leader", []string{"lead"}, "Whether this node leads, and the leader's id and host (ZooKeeper fields).", runLeader},
	{"voting_view", nil, "The voting members and their addresses (ZooKeeper fields).", runVotingView},
	{"connections", []string{"cons"}, "Election-port peers: connection state, queue depths, counters; handshake rejections; the receive queue.", runConnections},
	{"votes", nil, "Votes received in the current or last round, and from servers out of the election.", runVotes},
	{"restarts", []string{"supervision"}, "Actor failures and restarts per kind, and the latest events.", runRestarts},
	{"elections", []string{"history"}, "The election in progress and the last finished ones: duration, rounds, notifications.", runElections},
}

// lookup finds a command by name or alias.
func lookup(name string) (*command, bool) {
	for i := range commands {
		c := &commands[i]
		if c.name == name {
			return c, true
		}
		for _, a := range c.aliases {
			if a == name {
				return c, true
			}
		}
	}
	return nil, false
}

func runRuok(*Options) (any, error) { return &Envelope{}, nil }

func runStat(o *Options) (any, error) {
	st := o.Node.Status()
	es, err := o.Node.ElectionStatus(queryTimeout)
	if err != nil {
		return nil, errUnavailable{err}
	}
	out := &Stat{
		Version: o.Version, Sid: st.ID, State: st.State.String(), ServerState: mode(st.State),
		Leader: st.Leader, Zxid: st.Zxid, ZxidHex: zk.Zxid(st.Zxid).String(), ElectionEpoch: st.ElectionEpoch,
		PeerEpoch: st.PeerEpoch, LogicalClock: es.GetLogicalClock(), CurrentVote: voteOf(es.GetCurrentVote()),
		Proposal: voteOf(es.GetProposal()), MessagesProcessed: nodehooks.Of(o.Node).MessagesProcessed(),
	}
	if f, ok := o.Node.DiskFault(); ok {
		out.DiskFault = &DiskFault{Dir: f.Dir, Error: f.Err, Since: f.Since.UTC().Format(time.RFC3339)}
	}
	out.TLS = tlsView(o.Node.TLSStatus())
	return out, nil
}

// tlsView is the admin view of a node's quorum TLS.
func tlsView(st actors.TLSStatus) TLS {
	v := TLS{Enabled: st.Enabled, PortUnification: st.PortUnification, CertSubject: st.Subject}
	if !st.NotAfter.IsZero() {
		v.CertNotAfter = st.NotAfter.UTC().Format(time.RFC3339)
	}
	for port, reasons := range st.Failures {
		for reason, n := range reasons {
			if n == 0 {
				continue
			}
			if v.HandshakeFailures == nil {
				v.HandshakeFailures = map[string]map[string]uint64{}
			}
			if v.HandshakeFailures[port] == nil {
				v.HandshakeFailures[port] = map[string]uint64{}
			}
			v.HandshakeFailures[port][reason] = n
		}
	}
	return v
}

// mode is ZooKeeper's srvr "Mode" word for a state.
func mode(s messages.ServerState) string {
	switch s {
	case messages.ServerState_LEADING:
		return "leader"
	case messages.ServerState_FOLLOWING:
		return "follower"
	case messages.ServerState_OBSERVING:
		return "observer"
	case messages.ServerState_LOOKING:
		return "looking"
	}
	return s.String()
}

func runLeader(o *Options) (any, error) {
	st := o.Node.Status()
	out := &Leader{IsLeader: st.IsLeader(), LeaderID: st.Leader}
	if st.State == messages.ServerState_LOOKING {
		msg := ErrNotServing.Error()
		out.Error = &msg
		return out, nil
	}
	if o.Verifier != nil {
		if s, ok := o.Verifier.Server(st.Leader); ok && len(s.Addrs) > 0 {
			out.LeaderIP = s.Addrs[0].Host
		}
	}
	return out, nil
}

func runVotingView(o *Options) (any, error) {
	out := &VotingView{CurrentConfig: map[string]ServerView{}}
	if o.Verifier == nil {
		return out, nil
	}
	for _, sid := range o.Verifier.VotingMembers() {
		s, ok := o.Verifier.Server(sid)
		if !ok {
			continue
		}
		v := ServerView{ServerAddresses: []string{}, ElectionAddresses: []string{}, ClientAddress: []string{},
			LearnerType: s.Type.String()}
		for _, a := range s.Addrs {
			v.ServerAddresses = append(v.ServerAddresses, net.JoinHostPort(a.Host, strconv.Itoa(a.QuorumPort)))
			v.ElectionAddresses = append(v.ElectionAddresses, net.JoinHostPort(a.Host, strconv.Itoa(a.ElectionPort)))
		}
		if s.ClientAddr != "" {
			v.ClientAddress = append(v.ClientAddress, s.ClientAddr)
		}
		out.CurrentConfig[strconv.FormatInt(sid, 10)] = v
	}
	return out, nil
}

func runConnections(o *Options) (any, error) {
	cs, err := o.Node.CnxStatus(queryTimeout)
	if err != nil {
		return nil, errUnavailable{err}
	}
	out := &Connections{Peers: []Peer{}, Rejected: map[string]uint64{}}
	pruned := cs.GetNonMembersPruned()
	out.NonMembers = NonMembers{Sent: pruned.GetSent(), Received: pruned.GetReceived(), SendDropped: pruned.GetSendDropped()}
	for _, p := range cs.GetPeers() {
		if !p.GetMember() && !p.GetConnected() && p.GetPending() == 0 {
			// A probe that hung up: summed, not listed (it chose its
			// sid, and would otherwise stay listed until pruned).
			out.NonMembers.Remembered++
			out.NonMembers.Sent += p.GetSent()
			out.NonMembers.Received += p.GetReceived()
			out.NonMembers.SendDropped += p.GetSendDropped()
			continue
		}
		peer := Peer{Sid: p.GetSid(), Member: p.GetMember(), Connected: p.GetConnected(), Dialing: p.GetDialing(),
			Direction: p.GetDirection().String(), RemoteAddress: p.GetRemoteAddress(), SendQueue: p.GetPending(),
			SendDropped: p.GetSendDropped(), Sent: p.GetSent(), Received: p.GetReceived(),
			ConnectAttempts: p.GetConnectAttempts(), ConnectFailures: p.GetConnectFailures(),
			LastCloseDetail: p.GetLastCloseDetail()}
		if p.GetLastClose() != messages.CloseReason_CLOSE_REASON_UNSPECIFIED {
			peer.LastClose = p.GetLastClose().String()
		}
		out.Peers = append(out.Peers, peer)
	}
	sort.Slice(out.Peers, func(i, j int) bool { return out.Peers[i].Sid < out.Peers[j].Sid })
	for k, v := range cs.GetRejected() {
		out.Rejected[k] = v
	}
	if rs, err := history.ReceiverStatus(o.Node, queryTimeout); err == nil {
		out.ReceiveQueue = &ReceiveQueue{Capacity: rs.GetCapacity(), Depth: rs.GetQueued(), InFlight: rs.GetInFlight(),
			Received: rs.GetReceived(), Delivered: rs.GetDelivered(), Dropped: rs.GetQueueDropped(),
			Malformed: map[string]uint64{}}
		for k, v := range rs.GetMalformed() {
			out.ReceiveQueue.Malformed[k] = v
		}
	}
	return out, nil
}

func runVotes(o *Options) (any, error) {
	es, err := o.Node.ElectionStatus(queryTimeout)
	if err != nil {
		return nil, errUnavailable{err}
	}
	return &Votes{State: es.GetState().String(), LogicalClock: es.GetLogicalClock(),
		Proposal: voteOf(es.GetProposal()), CurrentVote: voteOf(es.GetCurrentVote()),
		Received: votesOf(es.GetReceivedVotes()), OutOfElection: votesOf(es.GetOutOfElection()),
		Discarded: es.GetDropped()}, nil
}

func runRestarts(o *Options) (any, error) {
	failures, restarts := o.Node.Supervision()
	out := &Restarts{Failures: map[string]uint64{}, Restarts: map[string]uint64{},
		Recent: o.Recorder.RecentSupervision()}
	for _, k := range actors.AllKinds { // every kind, 0 included, so clients need no defaults
		out.Failures[string(k)], out.Restarts[string(k)] = failures[k], restarts[k]
	}
	for k, v := range failures {
		out.Failures[string(k)] = v
	}
	for k, v := range restarts {
		out.Restarts[string(k)] = v
	}
	return out, nil
}

func runElections(o *Options) (any, error) {
	out := &Elections{Finished: o.Recorder.Finished(), Total: o.Recorder.Total()}
	if cur, ok := o.Recorder.Current(history.SampleNode(o.Node)); ok {
		out.Current = &cur
	}
	return out, nil
}

// unknownCommand is ZooKeeper's error text for a command it lacks.
func unknownCommand(name string) string { return fmt.Sprintf("Unknown command: %s", name) }
