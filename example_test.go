package zkfle_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/zkfle/zkfle"
	"github.com/zkfle/zkfle/internal/freeport"
)

// freePort returns a loopback port that was free a moment ago.
func freePort() int {
	return freeport.MustPort()
}

// oneServer returns a config for a one-server ensemble on loopback. A lone
// voter is its own quorum and elects itself, which keeps the examples
// self-contained; a real program lists every replica.
func oneServer() zkfle.Config {
	cfg := zkfle.DefaultConfig()
	cfg.ID = 1
	cfg.Servers = []zkfle.Server{{ID: 1, Host: "127.0.0.1", QuorumPort: freePort(), ElectionPort: freePort()}}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // quiet examples
	return cfg
}

// Start a node, follow its status until it is established, and stop it.
func ExampleStart() {
	cfg := oneServer()
	cfg.LastZxid = func() int64 { return 0x100000007 } // the replica's newest data wins
	node, err := zkfle.Start(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	defer node.Stop(context.Background())

	for st := range node.Changes() { // closed if the node stops or fails
		if st.State != zkfle.Looking {
			fmt.Println(st)
			break
		}
	}
	// Output: LEADING epoch 1
}

// Every change, in order, through a lossless subscription.
func ExampleNode_Subscribe() {
	node, err := zkfle.Start(context.Background(), oneServer())
	if err != nil {
		panic(err)
	}
	sub := node.Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		st, err := sub.Next(ctx)
		if err != nil {
			panic(err)
		}
		if st.IsLeader() {
			fmt.Println("leading, leader", st.Leader, "epoch", st.Epoch)
			break
		}
	}
	_ = node.Stop(ctx)
	_, err = sub.Next(ctx)
	fmt.Println(err)
	// Output:
	// leading, leader 1 epoch 1
	// node stopped
}

// Check, just before acting as leader, that the leadership is still the
// one the token was taken under.
func ExampleNode_CheckFencingToken() {
	node, err := zkfle.Start(context.Background(), oneServer())
	if err != nil {
		panic(err)
	}
	for st := range node.Changes() {
		if st.IsLeader() {
			break
		}
	}
	token, ok := node.FencingToken()
	fmt.Println("token", token, ok)
	fmt.Println("still leading:", node.CheckFencingToken(token) == nil)
	_ = node.Stop(context.Background())
	err = node.CheckFencingToken(token)
	fmt.Println("after stop:", errors.Is(err, zkfle.ErrNotEstablished))
	// Output:
	// token 1 true
	// still leading: true
	// after stop: true
}

// A node whose election port another process holds fails on its own: the
// Changes loop ends, Done is closed and Err says why.
func ExampleNode_Err() {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer taken.Close()
	cfg := oneServer()
	cfg.Servers[0].ElectionPort = taken.Addr().(*net.TCPAddr).Port
	cfg.ElectionPortBindRetry, cfg.BindRetryInterval = 1, 10*time.Millisecond
	node, err := zkfle.Start(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	for range node.Changes() {
	}
	<-node.Done()
	fmt.Println("bind failed:", errors.Is(node.Err(), zkfle.ErrBindFailed))
	fmt.Println("stop:", node.Stop(context.Background()))
	// Output:
	// bind failed: true
	// stop: <nil>
}

// An ensemble on one line, as a -servers flag would carry it.
func ExampleParseServers() {
	servers, err := zkfle.ParseServers("1=10.0.0.1:2888:3888,2=10.0.0.2:2888:3888,3=[fd00::3]:2888:3888:observer")
	if err != nil {
		panic(err)
	}
	for _, s := range servers {
		fmt.Printf("%d %s %d %d observer=%t\n", s.ID, s.Host, s.QuorumPort, s.ElectionPort, s.Observer)
	}
	// Output:
	// 1 10.0.0.1 2888 3888 observer=false
	// 2 10.0.0.2 2888 3888 observer=false
	// 3 fd00::3 2888 3888 observer=true
}

// Validate names the bad value.
func ExampleConfig_Validate() {
	cfg := zkfle.DefaultConfig()
	cfg.ID = 4
	cfg.Servers, _ = zkfle.ParseServers("1=10.0.0.1:2888:3888,2=10.0.0.2:2888:3888,3=10.0.0.3:2888:3888")
	fmt.Println(cfg.Validate())
	cfg.ID = 1
	cfg.Servers[2].ElectionPort = 0
	fmt.Println(cfg.Validate())
	cfg.Servers[2].ElectionPort = 3888
	cfg.TickTime = 0
	fmt.Println(cfg.Validate())
	// Output:
	// invalid config: ID=4: no server.4 in the ensemble
	// invalid config: Servers[2].ElectionPort=0: must be 1-65535
	// invalid config: TickTime=0s: must be positive
}
