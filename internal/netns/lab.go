package netns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Subnet is the lab's private /24. It exists only inside the lab's
// namespaces, so concurrent labs may all use it.
const Subnet = "10.213.0.0/24"

// HubIP is the hub namespace's address on the bridge: where Lab.Dial
// connects from.
const HubIP = "10.213.0.1"

// NamePrefix starts every namespace a lab creates; SweepStale looks only
// at names that start with it.
const NamePrefix = "zkfle-"

// ipTimeout bounds one ip(8) command; they take milliseconds.
const ipTimeout = 10 * time.Second

// ErrUnsupported is wrapped by Supported's error when namespaces cannot
// be made here (not root, no ip(8), no kernel support).
var ErrUnsupported = errors.New("netns: network namespaces unavailable")

// Node is one namespace of a lab.
type Node struct {
	// Index is the node's number, from 1.
	Index int
	// NS is the namespace's name (for ip netns exec).
	NS string
	// IP is the node's address on the bridge.
	IP string
	// hubLink is the hub's end of the node's veth.
	hubLink string
}

// Lab is a hub namespace with a bridge and n node namespaces on it.
type Lab struct {
	// Prefix starts every name the lab created: zkfle-<pid>-<k>-.
	Prefix string
	// Hub is the hub namespace's name.
	Hub   string
	nodes []Node

	mu         sync.Mutex
	blackholes map[[2]int]bool // installed blackhole routes, from -> to
	down       map[int]bool    // nodes whose link is down
	closed     bool
}

// labSeq tells apart the labs one process makes.
var (
	labSeqMu sync.Mutex
	labSeq   int
)

// New creates a lab of n node namespaces (1 <= n <= 200). On error it
// removes whatever it had created. The caller must Close the lab.
func New(n int) (*Lab, error) {
	if n < 1 || n > 200 {
		return nil, fmt.Errorf("netns: %d nodes: want 1..200", n)
	}
	labSeqMu.Lock()
	labSeq++
	k := labSeq
	labSeqMu.Unlock()
	prefix := fmt.Sprintf("%s%d-%d-", NamePrefix, os.Getpid(), k)
	l := &Lab{Prefix: prefix, Hub: prefix + "hub", blackholes: map[[2]int]bool{}, down: map[int]bool{}}
	for i := 1; i <= n; i++ {
		l.nodes = append(l.nodes, Node{Index: i, NS: fmt.Sprintf("%sn%d", prefix, i),
			IP: fmt.Sprintf("10.213.0.%d", 10+i), hubLink: fmt.Sprintf("v%d", i)})
	}
	if err := l.build(); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

// build creates the hub, its bridge, then each node and its veth.
func (l *Lab) build() error {
	steps := [][]string{
		{"netns", "add", l.Hub},
		{"-n", l.Hub, "link", "set", "lo", "up"},
		{"-n", l.Hub, "link", "add", "name", "br0", "type", "bridge"},
		{"-n", l.Hub, "addr", "add", HubIP + "/24", "dev", "br0"},
		{"-n", l.Hub, "link", "set", "br0", "up"},
	}
	for _, n := range l.nodes {
		steps = append(steps,
			[]string{"netns", "add", n.NS},
			[]string{"-n", n.NS, "link", "set", "lo", "up"},
			// Both ends are made in the hub, then one moves to the node:
			// nothing ever appears in the caller's namespace.
			[]string{"-n", l.Hub, "link", "add", "name", n.hubLink, "type", "veth", "peer", "name", "eth0", "netns", n.NS},
			[]string{"-n", l.Hub, "link", "set", n.hubLink, "master", "br0"},
			[]string{"-n", l.Hub, "link", "set", n.hubLink, "up"},
			[]string{"-n", n.NS, "addr", "add", n.IP + "/24", "dev", "eth0"},
			[]string{"-n", n.NS, "link", "set", "eth0", "up"},
		)
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			return err
		}
	}
	return nil
}

// Nodes returns the lab's nodes, in index order.
func (l *Lab) Nodes() []Node { return append([]Node(nil), l.nodes...) }

// Node returns node i (from 1).
func (l *Lab) Node(i int) Node { return l.nodes[i-1] }

// Namespaces returns every namespace name the lab made, hub first.
func (l *Lab) Namespaces() []string {
	out := []string{l.Hub}
	for _, n := range l.nodes {
		out = append(out, n.NS)
	}
	return out
}

// Close deletes every namespace of the lab (which deletes their links and
// routes with them). It tries them all and returns the first error;
// calling it again does nothing. Processes still running inside a node
// namespace keep it alive as an anonymous namespace: stop them first.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	var first error
	existing, err := List()
	have := map[string]bool{}
	for _, ns := range existing {
		have[ns] = true
	}
	for _, ns := range l.Namespaces() {
		// A namespace New never got to make is skipped; if the list
		// failed, every one is tried.
		if err == nil && !have[ns] {
			continue
		}
		if err := ip("netns", "del", ns); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// List returns the names of the named network namespaces (ip netns list).
func List() ([]string, error) {
	out, err := ipOutput("netns", "list")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		// "name" or "name (id: N)".
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names, nil
}

// ip runs ip(8) with args; the error carries its output.
func ip(args ...string) error {
	_, err := ipOutput(args...)
	return err
}

func ipOutput(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ip", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("netns: ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
