package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `node runs a zkfle leader-election node: ZooKeeper's FastLeaderElection,
byte-compatible with ZooKeeper 3.8 on the election port.

Usage:
  node --config zoo.cfg [flags]   run a node from an unchanged ZooKeeper zoo.cfg
  node run --config zoo.cfg [flags]
                                  the same
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
  1   failed at run time, or could not bind the client, admin or metrics port
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
			printUsage(stdout)
			return exitOK
		case "demo":
			return runDemo(args[1:], stdout, stderr, sigs)
		case "probe":
			return runProbe(args[1:], stdout, stderr)
		case "trace":
			return runTrace(args[1:], stdout, stderr)
		case "run":
			args = args[1:]
		default:
			if !strings.HasPrefix(args[0], "-") {
				fmt.Fprintf(stderr, "node: unknown command %q: want run, demo, probe, trace, version or help (see node help)\n", args[0])
				return exitUsage
			}
		}
	}
	return runNode(args, stdout, stderr, sigs)
}

// printUsage prints `node help`: the commands, the run flags, the exit
// codes.
func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	newRunFlags(&runOptions{}, w).PrintDefaults()
	fmt.Fprint(w, exitCodes)
}

// parseFlags parses a subcommand's flags. It returns ok when the command
// should go on; otherwise the exit code: 0 for -h (the usage goes to
// stdout, as `node help` prints it), 2 for a bad flag (the message and
// the usage go to stderr).
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		_, _ = stdout.Write(buf.Bytes())
		return exitOK, false
	default:
		_, _ = stderr.Write(buf.Bytes())
		return exitUsage, false
	}
}
