package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/messages"
)

// recvDropWarnInterval rate-limits the warning about a full receive
// queue: under a flood every message drops one, and one line a second
// (with the count) says as much as a thousand.
const recvDropWarnInterval = time.Second

// recvState is the WorkerReceiver's state across its restarts:
// QuorumCnxManager's receive queue (cnx.RecvQueue: drop-oldest,
// RECV_CAPACITY) and the
// credit that lets exactly one notification at a time travel to the
// Election, so a flood waits here, in bounded memory, rather than in the
// Election's unbounded mailbox.
type recvState struct {
	queue *cnx.RecvQueue[*messages.NotificationReceived]
	// inFlight is true from handing a notification to the Election until
	// its NotificationProcessed credit comes back. It starts true: the
	// first credit comes from the Election's Started, so nothing is sent
	// to the Election's PID before that actor exists (a send that races
	// its spawn is unsafe at the pinned protoactor version, see
	// withChildren).
	inFlight bool
	// started is set by the first incarnation. A later one (a restart of
	// this actor, or of the Messenger, which re-spawns it) cannot know
	// whether a credit was lost while it was down, so it asks the Election
	// for one (creditRequest) rather than wait forever; a spare credit only
	// lets one more notification through. held is set while no Election
	// runs, when nothing may be sent to its PID.
	started bool
	held    bool
	// election is the Election that sent the last credit (credits are
	// requests, so they carry the sender). Pumping there rather than to
	// the directory matters at a re-spawn: the new Election can start,
	// and give its first credit, before its parent has published its PID.
	election  *actor.PID
	received  uint64
	delivered uint64
	empty     uint64
	malformed map[messages.DropReason]uint64

	lastDropWarn  time.Time
	droppedWarned uint64 // queue drops already reported in a warning
}

func newRecvState(capacity int) (*recvState, error) {
	if capacity <= 0 {
		return nil, invalid("RecvQueueCapacity", capacity, "must be positive")
	}
	return &recvState{
		queue:     cnx.NewRecvQueue[*messages.NotificationReceived](capacity),
		inFlight:  true,
		malformed: map[messages.DropReason]uint64{},
	}, nil
}

// creditRequest asks the Election for a NotificationProcessed credit.
type creditRequest struct{}

// electionStopped tells the WorkerReceiver that the Election is stopping
// for good (not restarting in place): send it nothing until the next
// Election's first credit.
type electionStopped struct{}

// notificationBatch carries every notification that waited in the
// receive queue to the Election in one message, oldest first; the
// Election steps them in order and returns one credit for all of them.
// A lone notification still travels as itself. Under load (the Election
// is the bottleneck of a large election, and the queue fills while it
// works) this saves two actor messages per notification, the hand-over
// and the credit (issue 14). Memory stays bounded: at most one batch (no
// more than the queue's capacity) is with the Election, and the queue
// behind it holds at most its capacity again.
type notificationBatch struct {
	items []*messages.NotificationReceived
}

// workerReceiver is the receiving half of FastLeaderElection's Messenger
// together with QuorumCnxManager's receive queue: notifications from the
// connections' readers (recvWorkerSink) and the Election's loopback queue
// here and go to the Election one hand-over at a time (one notification,
// or a notificationBatch of all that waited). The replies Java's
// WorkerReceiver sends itself are the election machine's
// (fle.Machine.Step), so they leave through the Election like every other
// notification.
type workerReceiver struct {
	rt *runtime
	st *recvState
}

func newWorkerReceiverProps(rt *runtime) *actor.Props {
	return rt.props(KindWorkerReceiver, func() actor.Actor {
		return &workerReceiver{rt: rt, st: rt.recv}
	})
}

// Receive handles one message.
func (w *workerReceiver) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if w.st.started && !w.st.held {
			ctx.Send(w.rt.dir.election.get(), &creditRequest{})
		}
		w.st.started = true
	case *messages.NotificationReceived:
		w.enqueue(m)
		w.pump(ctx)
	case *messages.NotificationProcessed:
		if ctx.Sender() != nil {
			w.st.election = ctx.Sender()
		}
		w.st.inFlight = false
		w.st.held = false
		w.pump(ctx)
	case *electionStopped:
		w.st.inFlight = true
		w.st.held = true
		w.st.election = nil
	case *messages.NotificationDropped:
		w.st.malformed[m.GetReason()]++
		w.rt.log.Debug("malformed notification dropped", "peer", m.GetSid(),
			"reason", m.GetReason().String(), "detail", m.GetDetail(), "size", m.GetBodySize())
	case *messages.StatusRequest:
		ctx.Respond(w.status())
	}
}

func (w *workerReceiver) enqueue(m *messages.NotificationReceived) {
	st := w.st
	st.received++
	if m.GetNotification() == nil {
		st.empty++
		w.rt.log.Warn("notification message without a notification dropped", "peer", m.GetSid())
		return
	}
	if st.queue.Offer(m) {
		now := time.Now()
		if now.Sub(st.lastDropWarn) >= recvDropWarnInterval {
			w.rt.log.Warn("receive queue full, oldest notifications dropped",
				"peer", m.GetSid(), "dropped", st.queue.Dropped()-st.droppedWarned,
				"dropped_total", st.queue.Dropped())
			st.lastDropWarn = now
			st.droppedWarned = st.queue.Dropped()
		}
	}
}

// pump hands what is queued to the Election unless a hand-over is
// already there: the oldest notification alone, or all of them, oldest
// first, in one notificationBatch.
func (w *workerReceiver) pump(ctx actor.Context) {
	if w.st.inFlight {
		return
	}
	next, ok := w.st.queue.Poll()
	if !ok {
		return
	}
	w.st.inFlight = true
	to := w.st.election
	if to == nil {
		to = w.rt.dir.election.get()
	}
	if w.st.queue.Len() == 0 {
		w.st.delivered++
		ctx.Send(to, next)
		return
	}
	items := make([]*messages.NotificationReceived, 0, w.st.queue.Len()+1)
	for ok {
		items = append(items, next)
		next, ok = w.st.queue.Poll()
	}
	w.st.delivered += uint64(len(items))
	ctx.Send(to, &notificationBatch{items: items})
}

func (w *workerReceiver) status() *messages.ReceiverStatus {
	st := w.st
	malformed := make(map[string]uint64, len(st.malformed))
	for reason, n := range st.malformed {
		malformed[reason.String()] = n
	}
	return &messages.ReceiverStatus{
		Sid:          w.rt.cfg.ID,
		Capacity:     int32(st.queue.Cap()),
		Queued:       int32(st.queue.Len()),
		InFlight:     st.inFlight,
		Received:     st.received,
		Delivered:    st.delivered,
		QueueDropped: st.queue.Dropped(),
		Malformed:    malformed,
		Empty:        st.empty,
	}
}
