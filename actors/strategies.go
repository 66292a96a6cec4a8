package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Every supervision strategy of the node's tree, in one place. Each actor
// still states at its spawn which of them it uses and why (see the
// WithSupervisor option beside each Props).

// Restart limits. A child is restarted at once (its state lives outside
// the actor, in runtime, so a restart loses at most the message that
// failed); one that fails more than this many times within the window is
// stopped, and its parent escalates (supervisedChildLost) so that the
// node's root decides.
const (
	workerMaxRestarts   = 10
	workerRestartWindow = 10 * time.Second
	// The root's limits for its three pillars (messenger, cnxmanager,
	// quorumpeer); past them the node reports a fatal error rather than
	// spin.
	rootMaxRestarts   = 10
	rootRestartWindow = 10 * time.Second
)

func restartDecider(any) actor.Directive { return actor.RestartDirective }

// restartWorkers is the strategy of the QuorumPeer's Election, the
// Messenger's WorkerReceiver and the connection manager's Listener and
// Peers: one-for-one, because siblings share nothing but PIDs, which a
// restart keeps.
func restartWorkers() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(workerMaxRestarts, workerRestartWindow, restartDecider)
}

// restartPillars is the root's strategy for its children, and its
// guardian's for the root itself (restart, never escalate: an escalating
// guardian kills the process).
func restartPillars() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(rootMaxRestarts, rootRestartWindow, restartDecider)
}

// stopChildren is the strategy for children that cannot be restarted in
// place (sockets, sessions): a failed child is stopped and its parent
// hears Terminated or the child's own closing report.
func stopChildren() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(0, 0, func(any) actor.Directive { return actor.StopDirective })
}

// sessionOrWorkers supervises the QuorumPeer's children: the Election,
// known by its PID, with workers (restarted in place); every other child
// is a Leader or Follower session, with session (stopped: its sockets and
// half-agreed epoch cannot be resumed).
type sessionOrWorkers struct {
	session, workers actor.SupervisorStrategy
	election         *livePID
}

// HandleFailure implements actor.SupervisorStrategy.
func (s sessionOrWorkers) HandleFailure(system *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason interface{}, message interface{}) {
	if child.Equal(s.election.get()) {
		s.workers.HandleFailure(system, supervisor, child, rs, reason, message)
		return
	}
	s.session.HandleFailure(system, supervisor, child, rs, reason, message)
}
