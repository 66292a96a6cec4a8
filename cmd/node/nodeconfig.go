package main

import (
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/zoocfg"
)

// actorsConfig maps a server's zoo.cfg configuration onto the node's:
// actors.DefaultConfig, with every setting zoo.cfg has replaced by the
// file's value (ZooKeeper's default when the file leaves it out). The
// quorum TLS stores are read apart (loadQuorumTLS), and the logger and
// trace come from the command line. A new zoo.cfg key zkfle honours gets
// its line here.
func actorsConfig(nc zoocfg.NodeConfig) actors.Config {
	cfg := actors.DefaultConfig()
	cfg.ID = nc.ID
	cfg.Verifier = nc.Verifier
	cfg.LastSeen = nc.LastSeen
	cfg.TickTime = nc.TickTime
	cfg.InitLimit = nc.InitLimit
	cfg.SyncLimit = nc.SyncLimit
	// finalizeWait has no zoo.cfg key: the rest of Election keeps its
	// defaults.
	cfg.Election.MinNotificationInterval = nc.MinNotificationInterval
	cfg.Election.MaxNotificationInterval = nc.MaxNotificationInterval
	cfg.ConnectTimeout = nc.ConnectTimeout
	cfg.HandshakeTimeout = nc.HandshakeTimeout
	cfg.ElectionPortBindRetry = nc.ElectionPortBindRetry
	cfg.ListenOnAllIPs = nc.ListenOnAllIPs
	cfg.TCPKeepAlive = nc.TCPKeepAlive
	cfg.MultiAddress = nc.MultiAddressEnabled
	cfg.DataDir = nc.DataDir
	cfg.SkipPeerAddressCheck = !nc.PeerAddressCheck
	cfg.DisableElectionFastPaths = !nc.ElectionFastPaths
	return cfg
}
