package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = defaultVersion

const defaultVersion = "0.1.0-dev"

const usage = `node runs a zkfle leader-election node: ZooKeeper's FastLeaderElection,
byte-compatible with ZooKeeper 3.8 on the election port.

Usage:
  node --config zoo.cfg [flags]   run a node from an unchanged ZooKeeper zoo.cfg
  node demo [-n 3] [-once] [-failover 3s]
                                  run a local ensemble in this process: watch it elect,
                                  lose its leader and fail over
  node probe HOST:PORT...         read each server's election state as a non-voter (node probe -h)
  node trace render [-o F] T...   draw nodes' election traces as one HTML sequence diagram
  node version                    print the version
  node help                       print this help

Run flags:
`

const exitCodes = `
Exit codes:
  0   stopped cleanly (SIGTERM or SIGINT)
  1   failed at run time
  2   bad command line
  3   bad configuration (the message names the key and the value)
  14  the election port could not be bound (as ZooKeeper)
`

// dispatch picks the subcommand and returns the process exit code.
func dispatch(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version", "-version":
			fmt.Fprintln(stdout, versionString())
			return exitOK
		case "help", "--help", "-help", "-h":
			fmt.Fprint(stdout, usage)
			newRunFlags(&runOptions{}, stdout).PrintDefaults()
			fmt.Fprint(stdout, exitCodes)
			return exitOK
		case "demo":
			return runDemo(args[1:], stdout, stderr, sigs)
		case "probe":
			return runProbe(args[1:], stdout, stderr)
		case "trace":
			return runTrace(args[1:], stdout, stderr)
		case "run":
			args = args[1:]
		}
	}
	return runNode(args, stdout, stderr, sigs)
}
