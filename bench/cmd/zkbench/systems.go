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

// zookeeperSystem runs QuorumPeerMain with zk-ensemble.sh's exact command
// line, so that its figures are the README baseline's.
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
		name:   "zookeeper",
		title:  "ZooKeeper 3.8 (JVM)",
		binary: javaPath,
		argv: func(cfg string) []string {
			return []string{javaPath, "-Xmx" + heap,
				"-cp", zkJar + ":" + slf4jSimple,
				"-Dorg.slf4j.simpleLogger.showDateTime=true",
				"-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS",
				"-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
				"-Dzookeeper.jmx.log4j.disable=true",
				zkMainClass, cfg}
		},
		classify: classifyZookeeper,
	}, nil
}
