package zkfle

import (
	"context"
	"fmt"
	"sync"

	"github.com/zkfle/zkfle/actors"
)

// ErrStopped is returned by a Subscription's Next once the node has
// ended and every change has been read.
var ErrStopped = actors.ErrStopped

// ErrBindFailed is wrapped by Err's error when the node failed because
// its election port could not be bound (ZooKeeper exits with code 14
// then).
var ErrBindFailed = actors.ErrBindFailed

// Node is one running member of the election. Create it with Start; end
// it with Stop. Its methods are safe for concurrent use.
type Node struct {
	inner *actors.Node
	id    int64

	stopOnce sync.Once
	stopReq  chan struct{} // closed by the first Stop
	done     chan struct{} // closed once the node has ended

	// hooks are this package's test seams; nil in production.
	hooks *testHooks

	mu      sync.Mutex
	ending  bool           // no more Changes pumps: run is waiting for them
	pumps   sync.WaitGroup // the goroutines feeding Changes channels
	err     error          // why the node ended on its own
	stopErr error          // what stopping the actor tree returned
}

// Start validates cfg and starts a node. It returns once the node runs;
// the election then goes on in the background (watch it with Status,
// Changes or Subscribe). ctx bounds the start only: cancelling it later
// does not stop the node (Stop does).
//
// A node fails on its own when it cannot go on, for example when its
// election port cannot be bound: Done is then closed and Err says why.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	return start(ctx, cfg, nil)
}

// testHooks are seams for this package's tests, which must reach moments
// no public call can hold still.
type testHooks struct {
	// actors adjusts the actor tree's configuration (fault injection).
	actors func(*actors.Config)
	// failed runs once run has seen the tree fail, before it stops the
	// tree: the moment in which the tree still publishes its last role.
	failed func()
}

// start is Start with test seams (nil in production).
func start(ctx context.Context, cfg Config, hooks *testHooks) (*Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ac, err := cfg.actorsConfig()
	if err != nil {
		return nil, err
	}
	if hooks != nil && hooks.actors != nil {
		hooks.actors(&ac)
	}
	inner, err := actors.Start(ac)
	if err != nil {
		return nil, err
	}
	n := &Node{inner: inner, id: cfg.ID, hooks: hooks, stopReq: make(chan struct{}), done: make(chan struct{})}
	go n.run()
	if err := ctx.Err(); err != nil {
		_ = n.Stop(context.Background())
		return nil, err
	}
	return n, nil
}

// run waits for Stop or a fatal error, then stops the actor tree (which
// closes every Changes channel and ends every Subscription) and marks the
// node done.
func (n *Node) run() {
	select {
	case <-n.stopReq:
	case <-n.inner.Failed():
		// Recorded before the actor tree stops, so that Err already says
		// why when a Changes loop ends.
		n.mu.Lock()
		n.err = n.inner.Fatal()
		n.mu.Unlock()
		if n.hooks != nil && n.hooks.failed != nil {
			n.hooks.failed()
		}
	}
	stopErr := n.inner.Stop()
	n.mu.Lock()
	n.ending = true
	n.stopErr = stopErr
	n.mu.Unlock()
	n.pumps.Wait()
	close(n.done)
}

// ID returns the node's sid.
func (n *Node) ID() int64 { return n.id }

// Stop stops the node: its election, its connections and every goroutine
// it started. It returns once the node has ended, or ctx's error if ctx
// ends first (the node then goes on stopping in the background; Done says
// when it has). It is safe to call more than once and from several
// goroutines at a time; every call waits for the same end. Stopping a
// node that failed on its own returns nil (Err says why it failed).
func (n *Node) Stop(ctx context.Context) error {
	n.stopOnce.Do(func() { close(n.stopReq) })
	select {
	case <-n.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopErr != nil {
		return fmt.Errorf("stop: %w", n.stopErr)
	}
	return nil
}

// Done returns a channel that is closed once the node has ended, stopped
// by Stop or failed on its own.
func (n *Node) Done() <-chan struct{} { return n.done }

// Err says why the node ended: the error that made it fail, for example
// that its election port could not be bound (it wraps ErrBindFailed
// then). It is set before the node's Changes channels are closed, so a
// loop over Changes can read it as soon as the loop ends. It is nil while
// the node runs and for a node ended by Stop.
func (n *Node) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.err
}

// Status returns the node's current role, leader and epoch. A node that
// has stopped or failed is Looking: it holds no role.
func (n *Node) Status() Status {
	if n.ended() {
		return statusOf(n.id, nil)
	}
	return statusOf(n.id, n.inner.State())
}

// ended reports whether the node has failed or is stopping: from then on
// it holds no role, whatever it last published.
func (n *Node) ended() bool {
	select {
	case <-n.stopReq:
		return true
	case <-n.inner.Failed():
		return true
	default:
		return false
	}
}

// Changes returns a channel that always holds the node's newest status,
// starting with the current one (Looking before the first decision),
// each status once: a slow reader skips intermediate states
// but never reads a stale one (hashicorp/raft's LeaderCh style; Subscribe
// delivers every change). The channel is closed when the node stops or
// fails, so `for st := range node.Changes()` ends with the node. Each
// call makes a new channel, which lives as long as the node.
func (n *Node) Changes() <-chan Status {
	out := make(chan Status, 1)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ending {
		close(out)
		return out
	}
	// The current status first (Looking before any decision), then each
	// new one; the actor tree's channel also starts with the current
	// change, which the pump skips as a repeat.
	last := n.Status()
	out <- last
	in, _ := n.inner.Changes() // closed when the actor tree stops
	n.pumps.Add(1)
	go func() {
		defer n.pumps.Done()
		defer close(out)
		for sc := range in {
			st := statusOf(n.id, sc)
			if st == last {
				continue
			}
			last = st
			select { // drop the unread older status: keep the newest only
			case <-out:
			default:
			}
			out <- st // cannot block: this goroutine is the only sender
		}
	}()
	return out
}
