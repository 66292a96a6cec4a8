package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// electionState is what the Election actor keeps across its restarts:
// ZooKeeper keeps logicalclock, the proposal and the vote sets in the
// FastLeaderElection object, which outlives a crashed thread, so a panic
// in our Election must not start the round over either.
type electionState struct {
	machine *fle.Machine
	// pending are the machine's armed timers, re-armed by each new
	// incarnation for the time they had left.
	pending map[fle.TimerKind]pendingTimer
	// delivered is the connection manager's last haveDelivered() answer,
	// pushed whenever it changes. It starts true, so a timeout before the
	// first report re-sends notifications (which also connects, since
	// every send does) instead of only connecting.
	delivered bool
	// configs caches parsed peer configs.
	configs *configCache
	// dropped counts notifications the machine discarded.
	dropped uint64
}

func newElectionState(cfg Config) (*electionState, error) {
	m, err := fle.New(fle.Config{ID: cfg.ID, Verifier: cfg.Verifier, LastSeen: cfg.LastSeen, Timing: cfg.Election,
		DisableFastPaths: cfg.DisableElectionFastPaths})
	if err != nil {
		return nil, fmt.Errorf("election: %w", err)
	}
	return &electionState{
		machine:   m,
		pending:   map[fle.TimerKind]pendingTimer{},
		delivered: true,
		configs:   newConfigCache(quorum.ParseConfig),
	}, nil
}

// election is the Election actor: it drives the fle.Machine in
// electionState (Start, Step, Tick) and carries out every output. It is a
// child of the QuorumPeer, which gets its decisions.
type election struct {
	rt     *runtime
	st     *electionState
	guard  *incarnationGuard
	timers *electionTimers
}

func newElectionProps(rt *runtime) *actor.Props {
	guard := &incarnationGuard{}
	return rt.props(KindElection, func() actor.Actor {
		return &election{rt: rt, st: rt.election, guard: guard}
	})
}

// Receive handles one message.
func (e *election) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		e.timers = newElectionTimers(ctx.ActorSystem(), ctx.Self())
		if e.guard.stopped.Load() {
			return // a zombie incarnation (a Stop that raced a pending Restart started it again): arm nothing
		}
		e.timers.resume(e.st, time.Now())
		// The WorkerReceiver's first credit. After a restart: a
		// notification in flight when the previous incarnation failed
		// died with the failing message, and without this credit the
		// WorkerReceiver would wait for it forever. A spare credit is
		// harmless: it only lets one more notification through.
		ctx.Request(e.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	case *actor.Restarting:
		// Stop the live timers but keep their records: the next
		// incarnation re-arms them.
		e.timers.stopAll()
	case *actor.Stopping:
		// As for a restart; and the next Election will be a new spawn
		// (after a restart of the QuorumPeer), to which nothing may send
		// until it has started, so the WorkerReceiver holds its queue
		// until that Election's first credit.
		e.timers.stopAll()
		ctx.Send(e.rt.dir.workerReceiver.get(), &electionStopped{})
	case *actor.Stopped:
		e.guard.stopped.Store(true)
	case *startLooking:
		e.startLooking(ctx, m)
	case *pauseElection:
		// The QuorumPeer backs off after a failed session; the next
		// StartLooking starts a new round.
		e.st.machine.Stop()
	case *messages.NotificationReceived:
		e.step(ctx, m)
		ctx.Request(e.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	case *notificationBatch:
		// All that waited in the receive queue, oldest first: one
		// credit for the lot (workerreceiver.go).
		for _, n := range m.items {
			e.step(ctx, n)
		}
		ctx.Request(e.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	case *creditRequest:
		// A restarted WorkerReceiver cannot tell whether our last credit
		// reached its previous incarnation: give it one.
		ctx.Request(e.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	case *messages.TimerFired:
		e.tick(ctx, m)
	case *messages.UpdateElectionVote:
		e.st.machine.UpdateElectionVote(m.GetPeerEpoch())
	case *messages.HaveDeliveredResponse:
		e.st.delivered = m.GetDelivered()
	case *peerReachability:
		e.reachability(ctx, m)
	case *messages.StatusRequest:
		ctx.Respond(e.status())
	}
}

func (e *election) startLooking(ctx actor.Context, s *startLooking) {
	// A node that cannot persist its epochs votes but does not stand
	// for leader (quorumpeer's disk-fault rule, fle.Machine.SetCandidate).
	e.st.machine.SetCandidate(s.candidate)
	m := s.msg
	e.rt.log.Info("start looking", "reason", m.GetReason().String(),
		"zxid", zk.Zxid(m.GetLastZxid()).String(), "epoch", m.GetCurrentEpoch(), "candidate", s.candidate)
	before := e.st.machine.LogicalClock()
	e.apply(ctx, before, e.st.machine.Start(zk.Zxid(m.GetLastZxid()), m.GetCurrentEpoch()))
}

func (e *election) step(ctx actor.Context, m *messages.NotificationReceived) {
	n := m.GetNotification()
	var qv quorum.Verifier
	if n.GetVersion() > 1 {
		// Java reads and parses the config only from versioned bodies; a
		// parse failure leaves it null and the vote still counts.
		var err error
		qv, err = e.st.configs.verifier(n.GetConfig())
		if err != nil {
			// Per notification, so rate-limited per peer: a peer that
			// keeps sending a bad config gets one line per interval.
			e.rt.warnings().Warn("peer config does not parse; counting its vote without it",
				fmt.Sprintf("peer %d", m.GetSid()), "config-unparsable", "peer", m.GetSid(), "err", err)
		}
	}
	before := e.st.machine.LogicalClock()
	e.traceStep(m.GetSid(), n)
	e.apply(ctx, before, e.st.machine.Step(notificationFromProto(m.GetSid(), n, qv)))
}

func (e *election) tick(ctx actor.Context, m *messages.TimerFired) {
	kind := timerKindFromProto(m.GetKind())
	e.timers.fired(e.st, kind, m.GetSeq())
	e.traceFire(kind)
	before := e.st.machine.LogicalClock()
	e.apply(ctx, before, e.st.machine.Tick(kind, m.GetSeq(), e.st.delivered))
}

// apply carries out one machine output, in the order the machine gave it.
// Logs carry no sid key: rt.log has it already.
func (e *election) apply(ctx actor.Context, roundBefore int64, out fle.Output) {
	e.traceOutput(out, e.st.machine.LogicalClock() != roundBefore)
	for _, msg := range out.Messages {
		e.rt.sendNotification(ctx, sendFromMessage(msg))
	}
	e.timers.apply(e.st, out.Timers, e.st.machine.LogicalClock(), time.Now())
	if out.ConnectAll {
		ctx.Send(e.rt.dir.cnxManager.get(), &messages.ConnectAll{})
	}
	for _, d := range out.Dropped {
		e.st.dropped++
		e.rt.log.Debug("notification dropped", "peer", d.From, "reason", d.Reason)
	}
	if round := e.st.machine.LogicalClock(); round != roundBefore {
		p := e.st.machine.Proposal()
		e.rt.log.Info("election round changed", "round", round,
			"leader", p.Leader, "zxid", p.Zxid.String(), "epoch", p.PeerEpoch,
			"state", e.st.machine.State().String())
	}
	if d := out.Decision; d != nil {
		e.rt.log.Info("election decided", "leader", d.Leader,
			"zxid", d.Zxid.String(), "epoch", d.PeerEpoch, "round", d.ElectionEpoch,
			"state", d.State.String(), "path", d.Path.String())
		pd := decisionToProto(e.rt.cfg.ID, d)
		pd.Path = d.Path.String()
		ctx.Send(ctx.Parent(), pd)
	}
	for _, sid := range out.LookingSids {
		ctx.Send(ctx.Parent(), &messages.LookingSidReported{Sid: sid})
	}
	for _, sid := range out.NewerRoundLookingSids {
		ctx.Send(ctx.Parent(), &messages.VoterLookingInNewerRound{Sid: sid})
	}
}

func (e *election) status() *messages.ElectionStatus {
	m := e.st.machine
	return &messages.ElectionStatus{
		Sid:           m.ID(),
		State:         messages.ServerStateOf(m.State()),
		LogicalClock:  m.LogicalClock(),
		Proposal:      voteToProto(m.Proposal()),
		CurrentVote:   voteToProto(m.CurrentVote()),
		ReceivedVotes: votesToProto(m.ReceivedVotes()),
		OutOfElection: votesToProto(m.OutOfElection()),
		Dropped:       e.st.dropped,
	}
}
