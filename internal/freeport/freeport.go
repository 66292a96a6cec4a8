// Package freeport hands out loopback TCP ports for servers that bind them
// later: the demo's and the benchmark's ensembles, and tests.
//
// A port the kernel picks for "127.0.0.1:0" comes from its ephemeral range,
// the same range it draws the source ports of outgoing connections from.
// Between the moment such a port is chosen and the moment its server binds
// it, any dial on the machine may take it as its source port, and a
// leader's quorum port is bound only when it is elected, possibly minutes
// later: the leader then cannot bind, gives up its role and is re-elected,
// for as long as that connection lives (seen in `node demo` under load).
// So ports come from below the ephemeral range, where no dial takes them,
// and are never handed out twice: not by one process, nor by two that run
// at once (reserve.go).
package freeport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// low is the bottom of the range ports are drawn from: above the
// well-known and commonly configured ports (ZooKeeper's 2181, 2888, 3888,
// 8080, ...).
const low = 20000

// ErrExhausted reports that no free port was found.
var ErrExhausted = errors.New("freeport: no free loopback port found")

var (
	mu    sync.Mutex
	given = map[int]bool{}
	// intN draws a port offset; tests replace it to pick a chosen port.
	intN = rand.IntN
)

// Port returns a loopback port that nothing listened on a moment ago, that
// no outgoing connection can take as its source port, and that this
// process has not handed out before.
func Port() (int, error) {
	mu.Lock()
	defer mu.Unlock()
	hi := ephemeralLow()
	for try := 0; try < 1000 && hi > low; try++ {
		port := low + intN(hi-low)
		if given[port] || !bindable(port) || !reserve(port) {
			continue
		}
		given[port] = true
		return port, nil
	}
	// No room below the ephemeral range (a machine configured so): let
	// the kernel choose, still never twice.
	for try := 0; try < 1000; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("freeport: %w", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if !given[port] && reserve(port) {
			given[port] = true
			return port, nil
		}
	}
	return 0, ErrExhausted
}

// Ports returns n distinct ports (see Port).
func Ports(n int) ([]int, error) {
	out := make([]int, 0, n)
	for range n {
		p, err := Port()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// MustPort is Port for tests and examples: it panics when no port is left.
func MustPort() int {
	p, err := Port()
	if err != nil {
		panic(err)
	}
	return p
}

func bindable(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// ephemeralLow is the bottom of the kernel's ephemeral port range (Linux;
// 32768, the usual value, elsewhere or when it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 32768
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= low {
		return 32768
	}
	return n
}
