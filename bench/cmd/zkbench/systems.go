package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// system is one implementation under test: how to launch a server from its
// zoo.cfg, and how to read its log.
type system struct {
	name     string // key in JSON and progress lines: "zkfle" or "zookeeper"
	title    string // column header of the table
	binary   string // the executable: cmd/node or java
	argv     func(cfgPath string) []string
	classify lineClassifier
	// transport is what the quorum and election ports speak in this
	// column; the zero value is plaintext.
	transport transport
	// tlsArgv, when not nil, replaces argv for the TLS transport, and
	// tlsNeeds are the files it needs.
	tlsArgv  func(cfgPath string) []string
	tlsNeeds []string
	base     string // the title without the transport, for the cost columns
}

// baseTitle is the system's title without its transport.
func (s system) baseTitle() string {
	if s.base != "" {
		return s.base
	}
	return s.title
}

// dirName names the files of s's runs: the system, and -tls for TLS.
func (s system) dirName() string {
	if s.transport.isTLS() {
		return s.name + "-tls"
	}
	return s.name
}

// nodePackage is cmd/node's import path.
const nodePackage = "github.com/zkfle/zkfle/cmd/node"

// zkfleSystem runs cmd/node as an operator would: node --config zoo.cfg.
func zkfleSystem(nodeBin string) system {
	return system{
		name:   "zkfle",
		title:  "zkfle cmd/node",
		binary: nodeBin,
		argv: func(cfg string) []string {
			return []string{nodeBin, "--config", cfg}
		},
		classify: classifyZkfle,
	}
}

// buildNode compiles cmd/node into dir, from the module that holds the
// current directory.
func buildNode(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "node")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, nodePackage).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s (run zkbench from the zkfle module, or give -node): %w\n%s", nodePackage, err, out)
	}
	return bin, nil
}

// Debian's ZooKeeper 3.8 jars, as zk-ensemble.sh uses them: the server
// jar's manifest pulls in its dependencies, and slf4j-simple is the
// binding without which ZooKeeper logs nothing.
const (
	zkJar       = "/usr/share/java/zookeeper.jar"
	slf4jSimple = "/usr/share/java/slf4j-simple.jar"
	zkMainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
)

// ErrNoZooKeeper means ZooKeeper or java is not installed here.
var ErrNoZooKeeper = errors.New("ZooKeeper is not installed")

// nettyCodecJar is what Debian's zookeeper.jar manifest leaves out and a
// TLS quorum needs: without it the election listener thread dies silently
// and no election ends (zk-reference/README.md, TLS section).
const nettyCodecJar = "/usr/share/java/netty-codec.jar"

// zookeeperSystem runs QuorumPeerMain with zk-ensemble.sh's exact command
// line, so that its figures are the README baseline's; its TLS variant
// adds netty-codec.jar to the class path and nothing else.
func zookeeperSystem(java, heap string) (system, error) {
	for _, f := range []string{zkJar, slf4jSimple} {
		if _, err := os.Stat(f); err != nil {
			return system{}, fmt.Errorf("%w: %s missing (Debian packages zookeeper, libslf4j-java)", ErrNoZooKeeper, f)
		}
	}
	javaPath, err := exec.LookPath(java)
	if err != nil {
		return system{}, fmt.Errorf("%w: no java executable %q: %v", ErrNoZooKeeper, java, err)
	}
	return system{
		name:     "zookeeper",
		title:    "ZooKeeper 3.8 (JVM)",
		binary:   javaPath,
		argv:     zookeeperArgv(javaPath, heap, zkJar+":"+slf4jSimple),
		tlsArgv:  zookeeperArgv(javaPath, heap, zkJar+":"+slf4jSimple+":"+nettyCodecJar),
		tlsNeeds: []string{nettyCodecJar},
		classify: classifyZookeeper,
	}, nil
}

// zookeeperArgv is zk-ensemble.sh's JVM command line with class path cp.
func zookeeperArgv(javaPath, heap, cp string) func(cfg string) []string {
	return func(cfg string) []string {
		return []string{javaPath, "-Xmx" + heap,
			"-cp", cp,
			"-Dorg.slf4j.simpleLogger.showDateTime=true",
			"-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS",
			"-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
			"-Dzookeeper.jmx.log4j.disable=true",
			zkMainClass, cfg}
	}
}

// variants expands each system into one column per transport, the
// transports of one system next to each other (zkfle plain, zkfle TLS,
// ZooKeeper plain, ZooKeeper TLS). A plaintext-only invocation keeps the
// systems as they are. A system whose TLS variant misses a file is left
// out of the TLS columns, and the returned note says why.
func variants(systems []system, transports []transport) ([]system, []string) {
	plainOnly := len(transports) == 1 && !transports[0].isTLS()
	var out []system
	var notes []string
	for _, sys := range systems {
		for _, tr := range transports {
			v := sys
			v.transport = tr
			v.base = sys.title
			if !plainOnly {
				v.title = sys.title + ", " + tr.title()
			}
			if tr.isTLS() {
				if missing := missingFile(sys.tlsNeeds); missing != "" {
					notes = append(notes, fmt.Sprintf("%s with TLS not measured: %s missing", sys.title, missing))
					continue
				}
				if sys.tlsArgv != nil {
					v.argv = sys.tlsArgv
				}
			}
			out = append(out, v)
		}
	}
	return out, notes
}

// missingFile is the first of files that cannot be stat'ed, or "".
func missingFile(files []string) string {
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return f
		}
	}
	return ""
}
