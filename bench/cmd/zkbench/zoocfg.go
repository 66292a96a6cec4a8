package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// serverPorts are one server's three loopback ports.
type serverPorts struct {
	client, quorum, election int
}

// loopback is the only address the harness ever uses.
const loopback = "127.0.0.1"

// freePorts asks the kernel for n distinct free loopback ports, holding
// every listener open until all n are chosen so that none repeats. The
// ports are released before the servers bind them; nothing else on this
// machine is expected to grab an ephemeral port in that moment.
func freePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
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
