// Command embed runs one member of a zkfle election and prints one line
// per status change. Run three (ports Q for the quorum, E for the election):
//
//	go run ./examples/embed -id 1 -servers 1=127.0.0.1:Q1:E1,2=127.0.0.1:Q2:E2,3=127.0.0.1:Q3:E3
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/zkfle/zkfle"
)

func main() {
	id := flag.Int64("id", 0, "this server's sid")
	servers := flag.String("servers", "", "the ensemble: 1=host:quorumPort:electionPort,2=...")
	flag.Parse()

	cfg := zkfle.DefaultConfig() // ZooKeeper's defaults
	cfg.ID = *id
	var err error
	if cfg.Servers, err = zkfle.ParseServers(*servers); err != nil {
		fail(err)
	}
	// cfg.LastZxid = func() int64 { return myStore.LastIndex() } // the newest data wins
	// cfg.TLS = &zkfle.QuorumTLS{Server: serverTLS, Client: clientTLS} // mutual TLS

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	node, err := zkfle.Start(ctx, cfg)
	if err != nil {
		fail(err)
	}
	go func() {
		<-ctx.Done() // SIGINT or SIGTERM: stop cleanly
		_ = node.Stop(context.Background())
	}()
	for st := range node.Changes() { // closed when the node stops or fails
		fmt.Println(st) // LOOKING, LEADING epoch E, FOLLOWING leader L epoch E
	}
	if err := node.Err(); err != nil { // why it failed; nil after Stop
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "embed:", err)
	os.Exit(1)
}
