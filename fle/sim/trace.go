package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// TraceKind names what a trace event records.
type TraceKind uint8

const (
	// TraceStart: Node began a round (fle.Machine.Start). Note says why.
	TraceStart TraceKind = iota + 1
	// TraceSend: Node put Msg on the wire to Peer (or looped it back).
	TraceSend
	// TraceResend: a new connection re-sent Node's last message to Peer.
	TraceResend
	// TraceQueue: Node had no connection to Peer; Msg waits in the send
	// queue (replacing any older queued message).
	TraceQueue
	// TraceConnect: Node dialled Peer and keeps the connection (it has
	// the larger sid); each end's manager makes it its live link.
	TraceConnect
	// TraceConnectAll: Node's machine asked to connect to every peer.
	TraceConnectAll
	// TraceDeliver: Msg from Peer was handed to Node's machine.
	TraceDeliver
	// TraceInject: a scripted notification from Peer was handed to Node.
	TraceInject
	// TraceLost: Msg from Node to Peer was lost. Note says why.
	TraceLost
	// TraceDuplicate: the network delivers Msg from Node to Peer twice.
	TraceDuplicate
	// TraceArm: Node's machine armed a timer (Timer, After, Seq).
	TraceArm
	// TraceCancel: Node's machine cancelled a timer.
	TraceCancel
	// TraceFire: a timer of Node's fired (Note holds haveDelivered).
	TraceFire
	// TraceIgnored: Node's machine dropped a notification from Peer;
	// Note holds the machine's reason.
	TraceIgnored
	// TraceDecide: Node decided (Decision).
	TraceDecide
	// TraceCrash: Node crashed.
	TraceCrash
	// TracePartition: the network was cut; Note lists the sides.
	TracePartition
	// TraceHeal: every partition was removed.
	TraceHeal
	// TraceDetector: the failure detector found Node's leader gone for
	// the detector timeout; Node goes back to Looking.
	TraceDetector
	// TraceSplit: Node decided a different leader than Peer in the same
	// round while Peer still holds its decision.
	TraceSplit
	// TraceUnreachable: Node's machine was told Peer is unreachable (its
	// connection closed or a dial failed; Note says which). Traced only
	// with the fast paths on.
	TraceUnreachable
	// TraceCall: Node dialled the larger Peer and hung up after its
	// header, asking Peer to call back (ZooKeeper's tie-break).
	TraceCall
	// TraceDisconnect: Node closed its connection to Peer; Note is the
	// connection manager's reason (cnx.Reason*).
	TraceDisconnect
)

// TraceEvent is one line of a trace. Which fields are set depends on Kind.
type TraceEvent struct {
	// At is the simulated time.
	At time.Duration
	// Kind is what happened.
	Kind TraceKind
	// Node is the node acting (sender for sends, receiver for deliveries).
	Node int64
	// Peer is the other node, where there is one.
	Peer int64
	// Msg is the notification, for message events.
	Msg fle.Message
	// Timer, After and Seq describe a timer event.
	Timer fle.TimerKind
	After time.Duration
	Seq   uint64
	// Decision is set for TraceDecide and TraceSplit.
	Decision fle.Decision
	// Note is free text: a reason, a partition layout.
	Note string
}

// Trace is the ordered record of a run. A nil *Trace records nothing, so
// the simulator can run untraced at full speed.
type Trace struct {
	// Events are the recorded events, in order.
	Events []TraceEvent
	// HideNotificationArms leaves NotificationTimer armings and
	// cancellations out of String: the machine re-arms that timer after
	// every input, which drowns the rest in scripts.
	HideNotificationArms bool
}

// add records e if t is non-nil.
func (t *Trace) add(e TraceEvent) {
	if t != nil {
		t.Events = append(t.Events, e)
	}
}

// Len returns how many events were recorded (0 for a nil Trace).
func (t *Trace) Len() int {
	if t == nil {
		return 0
	}
	return len(t.Events)
}

// String renders every event, one per line.
func (t *Trace) String() string { return t.Since(0) }

// Since renders the events from index i on, one per line.
func (t *Trace) Since(i int) string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	for _, e := range t.Events[i:] {
		if t.HideNotificationArms && (e.Kind == TraceArm || e.Kind == TraceCancel) && e.Timer == fle.NotificationTimer {
			continue
		}
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Summary renders the events from index i on that change a node's state
// (starts, decisions, splits, detector firings, crashes, partitions) one
// per line, and counts the rest: for stretches too chatty to read line by
// line.
func (t *Trace) Summary(i int) string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	counts := map[TraceKind]int{}
	for _, e := range t.Events[i:] {
		switch e.Kind {
		case TraceStart, TraceDecide, TraceSplit, TraceDetector, TraceCrash, TracePartition, TraceHeal, TraceUnreachable:
			b.WriteString(e.String())
			b.WriteByte('\n')
		default:
			counts[e.Kind]++
		}
	}
	fmt.Fprintf(&b, "(%d sent, %d resent, %d delivered, %d lost, %d ignored, %d timers fired)\n",
		counts[TraceSend], counts[TraceResend], counts[TraceDeliver], counts[TraceLost], counts[TraceIgnored], counts[TraceFire])
	return b.String()
}

// String renders one event: the time, who, and what.
func (e TraceEvent) String() string {
	at := fmt.Sprintf("%8s ", e.At)
	switch e.Kind {
	case TraceStart:
		return at + fmt.Sprintf("%d start (%s)", e.Node, e.Note)
	case TraceSend:
		return at + fmt.Sprintf("%d->%d %s", e.Node, e.Peer, FormatMessage(e.Msg))
	case TraceResend:
		return at + fmt.Sprintf("%d->%d resend %s", e.Node, e.Peer, FormatMessage(e.Msg))
	case TraceQueue:
		return at + fmt.Sprintf("%d->%d queued (not connected) %s", e.Node, e.Peer, FormatMessage(e.Msg))
	case TraceConnect:
		return at + fmt.Sprintf("%d<>%d connected", e.Node, e.Peer)
	case TraceCall:
		return at + fmt.Sprintf("%d->%d call (smaller sid hangs up)", e.Node, e.Peer)
	case TraceDisconnect:
		return at + fmt.Sprintf("%d closed link to %d (%s)", e.Node, e.Peer, e.Note)
	case TraceConnectAll:
		return at + fmt.Sprintf("%d connectAll", e.Node)
	case TraceDeliver:
		return at + fmt.Sprintf("%d<-%d %s", e.Node, e.Peer, FormatMessage(e.Msg))
	case TraceInject:
		return at + fmt.Sprintf("%d<-%d injected %s", e.Node, e.Peer, FormatMessage(e.Msg))
	case TraceLost:
		return at + fmt.Sprintf("%d->%d lost (%s) %s", e.Node, e.Peer, e.Note, FormatMessage(e.Msg))
	case TraceDuplicate:
		return at + fmt.Sprintf("%d->%d duplicated %s", e.Node, e.Peer, FormatMessage(e.Msg))
	case TraceArm:
		return at + fmt.Sprintf("%d arm %s timer %s", e.Node, e.Timer.String(), e.After)
	case TraceCancel:
		return at + fmt.Sprintf("%d cancel %s timer", e.Node, e.Timer.String())
	case TraceFire:
		if e.Note == "" {
			return at + fmt.Sprintf("%d %s timer fired", e.Node, e.Timer.String())
		}
		return at + fmt.Sprintf("%d %s timer fired (%s)", e.Node, e.Timer.String(), e.Note)
	case TraceIgnored:
		return at + fmt.Sprintf("%d ignored notification from %d: %s", e.Node, e.Peer, e.Note)
	case TraceDecide:
		if e.Decision.Path.Fast() {
			return at + fmt.Sprintf("%d decided %s (fast: %s)", e.Node, FormatDecision(e.Decision), e.Decision.Path)
		}
		return at + fmt.Sprintf("%d decided %s", e.Node, FormatDecision(e.Decision))
	case TraceUnreachable:
		return at + fmt.Sprintf("%d: %d unreachable (%s)", e.Node, e.Peer, e.Note)
	case TraceCrash:
		return at + fmt.Sprintf("%d crashed", e.Node)
	case TracePartition:
		return at + fmt.Sprintf("partition %s", e.Note)
	case TraceHeal:
		return at + "heal"
	case TraceDetector:
		return at + fmt.Sprintf("%d lost its leader for %s (%s)", e.Node, e.After, e.Note)
	case TraceSplit:
		return at + fmt.Sprintf("SPLIT %d and %d decided different leaders in round %d: %s", e.Node, e.Peer, e.Decision.ElectionEpoch, e.Note)
	}
	return at + fmt.Sprintf("unknown trace event %d", e.Kind)
}

// FormatMessage renders a notification's wire fields.
func FormatMessage(m fle.Message) string {
	return fmt.Sprintf("%s leader=%s zxid=%s round=%d epoch=%s",
		m.State, formatSid(m.Leader), FormatZxid(m.Zxid), m.ElectionEpoch, formatEpoch(m.PeerEpoch))
}

// FormatDecision renders a decision.
func FormatDecision(d fle.Decision) string {
	return fmt.Sprintf("%s leader=%d zxid=%s round=%d epoch=%s",
		d.State, d.Leader, FormatZxid(d.Zxid), d.ElectionEpoch, formatEpoch(d.PeerEpoch))
}

// FormatVote renders a vote's leader, zxid and peer epoch.
func FormatVote(v fle.Vote) string {
	return fmt.Sprintf("(%s, %s, e%s)", formatSid(v.Leader), FormatZxid(v.Zxid), formatEpoch(v.PeerEpoch))
}

// FormatZxid prints a zxid as zk.Zxid does (ZooKeeper's hex), except the
// two sentinels a trace is read for: "min" for Long.MIN_VALUE (an
// observer's vote) and -1 (an untrusted empty database), which the
// scripts' golden traces spell that way.
func FormatZxid(z zk.Zxid) string {
	switch z {
	case zk.Zxid(fle.MinValue):
		return "min"
	case -1:
		return "-1"
	}
	return z.String()
}

func formatSid(s int64) string {
	if s == fle.MinValue {
		return "min"
	}
	return fmt.Sprintf("%d", s)
}

func formatEpoch(e int64) string { return formatSid(e) }
