package actors

import (
	"log/slog"
	"net"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// runtime is what one node's actors share. It is created once per node and
// outlives every actor incarnation, which is how state that must survive a
// restart (the election's logicalclock, the last message sent to each peer,
// the epochs) survives: each piece lives in a state struct owned by exactly
// one actor kind, handed to every incarnation of that actor through its
// producer. Incarnations of one actor run one after another, never
// together, so the structs need no locks; only the published view (pub) is
// read from outside the actor tree and has one.
type runtime struct {
	cfg      Config
	dir      directory
	log      *slog.Logger
	sup      *supervision
	listener []net.Listener // pre-bound election listeners, if the caller gave any

	election   *electionState
	quorumPeer *quorumPeerState
	cnx        *cnxState
	recv       *recvState
	// epochs holds acceptedEpoch and currentEpoch (dataDir's files).
	epochs epochStore
	// sessionProps, when set, replaces the Leader/Follower a decision
	// starts (a test seam for the election-side unit tests).
	sessionProps func(d *messages.Decision) *actor.Props

	pub published
}

// props builds supervised props for one of this node's actors.
func (rt *runtime) props(kind Kind, producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	return supervised(kind, rt.sup, rt.log, rt.cfg.FaultInjection, producer, opts...)
}

// wrap adds the node's middleware to props built elsewhere (the bridge's).
func (rt *runtime) wrap(kind Kind, props *actor.Props) *actor.Props {
	return props.Clone(actor.WithReceiverMiddleware(nodeMiddleware(kind, rt.sup, rt.log, rt.cfg.FaultInjection)))
}
