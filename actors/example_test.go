package actors_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// oneServer returns a config for a one-server ensemble on a free loopback
// port, and that port's listener. A lone voter is its own quorum and
// elects itself, which keeps the examples self-contained; a real program
// lists every replica (see the README).
func oneServer() (actors.Config, net.Listener) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	qln, err := net.Listen("tcp", "127.0.0.1:0") // a free quorum port, bound once elected
	if err != nil {
		panic(err)
	}
	quorumPort := qln.Addr().(*net.TCPAddr).Port
	_ = qln.Close()
	v, err := quorum.NewMajority([]quorum.Server{{ID: 1, Addrs: []quorum.AddrPair{
		{Host: "127.0.0.1", QuorumPort: quorumPort, ElectionPort: port}}}}, 0)
	if err != nil {
		panic(err)
	}
	cfg := actors.DefaultConfig()
	cfg.ID = 1
	cfg.Verifier = v
	// The examples subscribe after Start. A lone voter with the fast
	// paths on decides at once (it is every voter: unanimity), possibly
	// before such a subscription exists; the finalize window keeps the
	// first change for it.
	cfg.DisableElectionFastPaths = true
	return cfg, ln
}

// Start a node, wait for the election through the latest-value channel,
// read its role, and stop it.
func ExampleStart() {
	cfg, ln := oneServer()
	cfg.LastZxid = func() int64 { return 0x100000007 } // the replica's newest data wins
	node, err := actors.Start(cfg, actors.WithListeners(ln))
	if err != nil {
		panic(err)
	}
	defer node.Stop()

	changes, cancel := node.Changes()
	defer cancel()
	for sc := range changes {
		if sc.GetNewState() != messages.ServerState_LOOKING {
			break
		}
	}
	st := node.Status()
	fmt.Println(st.State, "leader", st.Leader, "leading:", st.IsLeader())
	// Output: LEADING leader 1 leading: true
}

// Every change, in order, through a lossless subscription.
func ExampleNode_Subscribe() {
	cfg, ln := oneServer()
	node, err := actors.Start(cfg, actors.WithListeners(ln))
	if err != nil {
		panic(err)
	}
	sub := node.Subscribe()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sc, err := sub.Next(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(sc.GetOldState(), "->", sc.GetNewState())
	sub.Close()
	_ = node.Stop()
	// Output: LOOKING -> LEADING
}

// Run the node on the program's own actor system and have its changes
// sent to one of the program's actors.
func ExampleWithWatcher() {
	system := actor.NewActorSystem()
	got := make(chan *messages.StateChanged, 4)
	watcher := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if sc, ok := ctx.Message().(*messages.StateChanged); ok {
			got <- sc
		}
	}))

	cfg, ln := oneServer()
	node, err := actors.Start(cfg, actors.WithActorSystem(system), actors.WithListeners(ln),
		actors.WithWatcher(watcher))
	if err != nil {
		panic(err)
	}
	sc := <-got
	fmt.Println(sc.GetNewState(), "leader:", sc.GetLeader())
	_ = node.Stop()
	_ = system.Root.StopFuture(watcher).Wait()
	// Output: LEADING leader: 1
}
