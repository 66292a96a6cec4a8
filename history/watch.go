package history

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/zkfle/zkfle/actors"
)

// QueryTimeout bounds each status query the watcher makes of the node.
const QueryTimeout = time.Second

// Watcher feeds a Recorder from a live node until stopped.
type Watcher struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// Watch attaches rec to node: it records the node's current state (an
// election in progress since since, when the node is LOOKING) and then
// every state change and supervision event, in a goroutine of its own.
// Pass the node's start time as since when attaching right after
// actors.Start, so the first election's duration counts from the start.
// Stop the watcher (or the node) to end the goroutine.
func Watch(node *actors.Node, rec *Recorder, since time.Time) *Watcher {
	// Subscribe before reading the state so that no change falls in
	// between; Recorder ignores a change it has already seen as state.
	sub := node.Subscribe()
	sup := make(chan actors.SupervisionEvent, 64)
	cancelSup := node.SubscribeSupervision(sup)
	initial := SampleNode(node)
	initial.At = since
	state := node.State()
	if state == nil {
		// The node is in its first election: every notification it has
		// exchanged belongs to it. A baseline taken now would leave out
		// what went before the watcher was attached, which for a node
		// that wins is often all it sends (its peers adopt its vote).
		initial.Sent, initial.Received = 0, 0
	}
	rec.Begin(state, initial)

	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{cancel: cancel, done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // state changes
		defer wg.Done()
		defer sub.Close()
		for {
			sc, err := sub.Next(ctx)
			if err != nil { // ctx cancelled or node stopped
				if errors.Is(err, actors.ErrStopped) {
					cancel() // the node is gone: end the other loop too
				}
				return
			}
			rec.Change(sc, SampleNode(node))
		}
	}()
	go func() { // supervision events
		defer wg.Done()
		defer cancelSup()
		for {
			select {
			case ev := <-sup:
				rec.Supervised(ev)
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(w.done)
	}()
	return w
}

// Stop ends the watcher's goroutines and waits for them. It is safe to
// call more than once.
func (w *Watcher) Stop() {
	w.once.Do(w.cancel)
	<-w.done
}

// SampleNode reads node's round and notification counters now. A query
// that fails (the node is stopping) leaves its fields 0.
func SampleNode(node *actors.Node) Sample {
	at := time.Now()
	es, _ := node.ElectionStatus(QueryTimeout)
	cs, _ := node.CnxStatus(QueryTimeout)
	return SampleOf(at, es, cs)
}
