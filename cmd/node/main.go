// Command node runs a zkfle election node from a ZooKeeper zoo.cfg.
//
//	node --config /etc/zookeeper/zoo.cfg   run a node (myid from dataDir/myid)
//	node run --config zoo.cfg               the same
//	node demo [-n 3] [-once]                a local ensemble in one process
//	node probe HOST:PORT...                 read running servers' election state
//	node trace render T...                  draw election traces as one HTML page
//	node version                            print the version
//	node help                               print usage
//
// Exit codes: 0 stopped cleanly (SIGTERM/SIGINT); 1 failed at run time
// (the client, admin or metrics port could not be bound, among others);
// 2 bad command line; 3 bad configuration (the message names the key and
// the value); 14 the election port could not be bound (ZooKeeper's
// UNABLE_TO_BIND_QUORUM_PORT).
package main

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, documented in the package comment and the README.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitConfig = 3
	exitBind   = 14
)

func main() {
	// The process's default logger becomes the node's (its level and
	// format): nodes run on actors' shared actor system, whose
	// protoactor records go to slog.Default. Tests call dispatch without
	// main and keep the default logger as it is.
	adoptLogger = slog.SetDefault
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr, sigs))
}
