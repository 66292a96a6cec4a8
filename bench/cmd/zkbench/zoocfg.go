package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/internal/freeport"
)

// serverPorts are one server's three loopback ports.
type serverPorts struct {
	client, quorum, election int
}

// loopback is the only address the harness ever uses.
const loopback = "127.0.0.1"

// freePorts returns n distinct free loopback ports from below the
// kernel's ephemeral range (internal/freeport). A port the kernel picks
// for 127.0.0.1:0 is an ephemeral one, and the quorum port is bound only
// by the elected leader, long after it was chosen: meanwhile any dial on
// the machine (the ensemble's own election connections, other jobs) may
// take it as its source port, and the leader cannot bind it.
func freePorts(n int) ([]int, error) {
	ports, err := freeport.Ports(n)
	if err != nil {
		return nil, fmt.Errorf("free port: %w", err)
	}
	return ports, nil
}

// zooCfg is the text of server sid's zoo.cfg: the same file for zkfle and
// ZooKeeper, with the settings zk-ensemble.sh uses for its baseline
// (by default ZooKeeper's default timing, no AdminServer, every
// four-letter word), plus the TLS lines when qc is not nil.
func zooCfg(sid int, dataDir string, ports map[int]serverPorts, t timing, qc *quorumCerts) string {
	var b strings.Builder
	b.WriteString("# written by zkbench\n")
	b.WriteString(t.cfgLines())
	b.WriteString("admin.enableServer=false\n4lw.commands.whitelist=*\nquorumListenOnAllIPs=false\n")
	fmt.Fprintf(&b, "dataDir=%s\nclientPort=%d\nclientPortAddress=%s\n", dataDir, ports[sid].client, loopback)
	for id := 1; id <= len(ports); id++ {
		fmt.Fprintf(&b, "server.%d=%s:%d:%d\n", id, loopback, ports[id].quorum, ports[id].election)
	}
	b.WriteString(qc.cfgLines(sid))
	return b.String()
}

// writeServerFiles creates dir/data with its myid and dir/zoo.cfg, and
// returns the zoo.cfg path. qc, when not nil, is the ensemble's TLS
// files.
func writeServerFiles(dir string, sid int, ports map[int]serverPorts, t timing, qc *quorumCerts) (string, error) {
	dataDir := filepath.Join(dir, "data")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dataDir, "myid"), []byte(strconv.Itoa(sid)+"\n"), 0o644); err != nil {
		return "", err
	}
	cfg := filepath.Join(dir, "zoo.cfg")
	return cfg, os.WriteFile(cfg, []byte(zooCfg(sid, dataDir, ports, t, qc)), 0o644)
}
