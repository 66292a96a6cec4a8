package actors

import (
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/trace"
	"github.com/zkfle/zkfle/zk"
)

// Election tracing (Config.Trace): what the machine was fed and what it
// did, one trace.Event each. A nil Writer records nothing.

// traceStep records a received notification.
func (e *election) traceStep(from int64, n *messages.Notification) {
	e.rt.cfg.Trace.Record(trace.Event{Sid: e.rt.cfg.ID, Kind: trace.KindRecv, Peer: from, State: n.GetState().Zk().String(),
		Leader: n.GetLeader(), Zxid: zk.Zxid(n.GetZxid()), Round: n.GetElectionEpoch(), Epoch: n.GetPeerEpoch()})
}

// traceFire records a timer firing.
func (e *election) traceFire(kind fle.TimerKind) {
	e.rt.cfg.Trace.Record(trace.Event{Sid: e.rt.cfg.ID, Kind: trace.KindFire, Timer: kind.String()})
}

// traceOutput records what one machine output asked for.
func (e *election) traceOutput(out fle.Output, newRound bool) {
	t := e.rt.cfg.Trace
	if t == nil {
		return
	}
	id := e.rt.cfg.ID
	if newRound {
		p := e.st.machine.Proposal()
		t.Record(trace.Event{Sid: id, Kind: trace.KindRound, State: e.st.machine.State().String(),
			Leader: p.Leader, Zxid: p.Zxid, Round: e.st.machine.LogicalClock(), Epoch: p.PeerEpoch})
	}
	for _, m := range out.Messages {
		t.Record(trace.Event{Sid: id, Kind: trace.KindSend, Peer: m.To, State: m.State.String(),
			Leader: m.Leader, Zxid: m.Zxid, Round: m.ElectionEpoch, Epoch: m.PeerEpoch})
	}
	for _, tm := range out.Timers {
		if !tm.Cancel {
			t.Record(trace.Event{Sid: id, Kind: trace.KindTimer, Timer: tm.Kind.String(),
				AfterMS: float64(tm.After.Microseconds()) / 1000})
		}
	}
	for _, d := range out.Dropped {
		t.Record(trace.Event{Sid: id, Kind: trace.KindDrop, Peer: d.From, Detail: d.Reason})
	}
	if d := out.Decision; d != nil {
		t.Record(trace.Event{Sid: id, Kind: trace.KindDecide, State: d.State.String(),
			Leader: d.Leader, Zxid: d.Zxid, Round: d.ElectionEpoch, Epoch: d.PeerEpoch})
	}
}

// traceRole records a reported role change.
func traceRole(rt *runtime, sc *messages.StateChanged, detail string) {
	rt.cfg.Trace.Record(trace.Event{Sid: rt.cfg.ID, Kind: trace.KindRole, State: sc.GetNewState().String(),
		Leader: sc.GetLeader(), Zxid: zk.Zxid(sc.GetZxid()), Round: sc.GetElectionEpoch(), Epoch: sc.GetPeerEpoch(), Detail: detail})
}
