package main

import (
	"log/slog"
	"net"
	"slices"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/clientport"
	"github.com/zkfle/zkfle/zoocfg"
)

// clientPortConfig is the four-letter-word port's part of zoo.cfg.
type clientPortConfig struct {
	// addr is clientPortAddress:clientPort (or the server line's client
	// part), "" for no client port.
	addr string
	// words is 4lw.commands.whitelist.
	words []string
}

// clientPortSettings maps a server's zoo.cfg onto its client port.
func clientPortSettings(nc zoocfg.NodeConfig) clientPortConfig {
	return clientPortConfig{addr: nc.ClientAddr, words: slices.Clone(nc.FourLetterWords)}
}

// bindClientPort binds the client port before the node starts, so that a
// taken port fails the start (exit 1) before the node takes part in any
// election; nil without a client port.
func bindClientPort(c clientPortConfig) (net.Listener, error) {
	if c.addr == "" {
		return nil, nil
	}
	return clientport.Listen(c.addr)
}

// clientPortServer is a running client port, or none (every method then
// does nothing and done never closes).
type clientPortServer struct{ srv *clientport.Server }

// serveClientPort serves ln (nil: no client port) for node.
func serveClientPort(ln net.Listener, node *actors.Node, cfg actors.Config, c clientPortConfig, log *slog.Logger) (clientPortServer, error) {
	if ln == nil {
		return clientPortServer{}, nil
	}
	srv, err := clientport.Serve(ln, clientport.Options{Node: clientport.Of(node), Config: cfg,
		FourLetterWords: c.words, Logger: log})
	return clientPortServer{srv}, err
}

// done is closed when the server stopped serving on its own.
func (s clientPortServer) done() <-chan struct{} {
	if s.srv == nil {
		return nil
	}
	return s.srv.Done()
}

// err is why it stopped.
func (s clientPortServer) err() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Err()
}

// close stops it.
func (s clientPortServer) close() {
	if s.srv != nil {
		_ = s.srv.Close()
	}
}
