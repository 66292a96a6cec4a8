package actors

import (
	"log/slog"
	"net"
	"sync"

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

	pub published
}

// published is the node's externally visible state, updated by the root
// actor whenever the QuorumPeer reports a change.
type published struct {
	mu      sync.Mutex
	current *messages.StateChanged
	subs    map[int]chan<- *messages.StateChanged
	nextSub int
	fatal   error
}

func (p *published) set(sc *messages.StateChanged) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current = sc
	for _, ch := range p.subs {
		select { // latest-value semantics: a slow reader misses intermediate states
		case ch <- sc:
		default:
		}
	}
}

func (p *published) get() *messages.StateChanged {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

func (p *published) subscribe(ch chan<- *messages.StateChanged) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.subs == nil {
		p.subs = map[int]chan<- *messages.StateChanged{}
	}
	id := p.nextSub
	p.nextSub++
	p.subs[id] = ch
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.subs, id)
	}
}

func (p *published) setFatal(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fatal == nil {
		p.fatal = err
	}
}

func (p *published) getFatal() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fatal
}

// props builds supervised props for one of this node's actors.
func (rt *runtime) props(kind Kind, producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	return supervised(kind, rt.sup, rt.log, rt.cfg.FaultInjection, producer, opts...)
}

// wrap adds the node's middleware to props built elsewhere (the bridge's).
func (rt *runtime) wrap(kind Kind, props *actor.Props) *actor.Props {
	return props.Clone(actor.WithReceiverMiddleware(nodeMiddleware(kind, rt.sup, rt.log, rt.cfg.FaultInjection)))
}
