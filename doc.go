// Package zkfle runs one member of a ZooKeeper-compatible leader election
// (ZooKeeper 3.8's FastLeaderElection and the epoch agreement after it)
// inside a Go program. It is the one import a plain Go program needs: its
// API takes and returns plain Go values and contexts, never protobuf
// messages or actor PIDs.
//
// Fill a Config (DefaultConfig gives ZooKeeper's defaults; set ID and
// Servers), Start a Node, and watch it:
//
//	cfg := zkfle.DefaultConfig()
//	cfg.ID = 2
//	cfg.Servers, _ = zkfle.ParseServers("1=10.0.0.1:2888:3888,2=10.0.0.2:2888:3888,3=10.0.0.3:2888:3888")
//	cfg.LastZxid = func() int64 { return myStore.LastIndex() } // the newest data wins
//	node, err := zkfle.Start(ctx, cfg)
//	if err != nil {
//		return err
//	}
//	defer node.Stop(context.Background())
//	for st := range node.Changes() { // closed when the node stops or fails
//		fmt.Println(st) // LOOKING, LEADING epoch 1, FOLLOWING leader 3 epoch 1
//	}
//	return node.Err() // why it ended: nil after Stop
//
// Status gives the role, leader and epoch at any time; Changes delivers
// the newest one (a slow reader skips intermediate states, never sees a
// stale one); Subscribe delivers every change in order. Before acting on
// leadership decided earlier, CheckFencingToken confirms the node still
// holds it, and the token (the epoch) lets whatever it writes to refuse a
// deposed leader's late writes.
//
// Programs that already run protoactor-go, and want the node's actors in
// their own actor system and its state changes as messages to their
// actors, use package actors instead (the advanced path).
package zkfle
