package actors

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/internal/ratelog"
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
	// sender is the WorkerSender's printed config (workersender.go).
	sender workerSender
	// epochs holds acceptedEpoch and currentEpoch (dataDir's files).
	epochs epochStore
	// sessionProps, when set, replaces the Leader/Follower a decision
	// starts (a test seam for the election-side unit tests).
	sessionProps func(d *messages.Decision) *actor.Props
	// disk says whether the epoch files can be written (diskfault.go).
	disk diskHealth
	// diskProbeEvery, if set, replaces quorumpeer.DefaultProbeInterval (tests).
	diskProbeEvery time.Duration
	// retryAfter, if set, replaces time.AfterFunc for the session
	// back-off (a test seam: record the delay, fire at once).
	retryAfter func(d time.Duration, fire func())
	// now, if set, replaces time.Now for the session back-off (tests).
	now func() time.Time

	pub published

	// sharedOnce builds sources and warn on first use (tests build
	// runtimes field by field).
	sharedOnce sync.Once
	sources    *peerSources
	warn       *ratelog.Limiter

	// tlsFailures counts refused TLS connections per port and reason
	// (tlsfailures.go).
	tlsFailures tlsCounters
}

func (rt *runtime) initShared() {
	rt.sharedOnce.Do(func() {
		if rt.sources == nil {
			rt.sources = newPeerSources(rt.cfg)
		}
		if rt.warn == nil {
			log := rt.log
			if log == nil {
				log = rt.cfg.logger()
			}
			rt.warn = ratelog.New(log, ratelog.DefaultInterval)
		}
	})
}

// peerSources is the node's source-address check (peersource.go).
func (rt *runtime) peerSources() *peerSources {
	rt.initShared()
	return rt.sources
}

// warnings is the node's rate-limited WARN logger: every refusal of
// something a remote sent (a bad header, a forged claim, a flood) logs
// through it, one line per (source, reason) per interval with a count of
// what was held back.
func (rt *runtime) warnings() *ratelog.Limiter {
	rt.initShared()
	return rt.warn
}

// tlsStats is the node's count of refused TLS connections.
func (rt *runtime) tlsStats() *tlsCounters { return &rt.tlsFailures }

// props builds supervised props for one of this node's actors.
func (rt *runtime) props(kind Kind, producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	return supervised(kind, rt.sup, rt.log, rt.cfg.FaultInjection, producer, opts...)
}

// wrap adds the node's middleware to props built elsewhere (the bridge's).
func (rt *runtime) wrap(kind Kind, props *actor.Props) *actor.Props {
	return props.Clone(actor.WithReceiverMiddleware(nodeMiddleware(kind, rt.sup, rt.log, rt.cfg.FaultInjection)))
}
