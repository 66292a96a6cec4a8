package netns

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
)

// netnsDirs are where ip(8) keeps its named namespaces (iproute2 uses
// /run/netns; /var/run is usually a link to /run).
var netnsDirs = []string{"/run/netns", "/var/run/netns"}

// Do runs f on an OS thread that has joined the named network namespace,
// then moves the thread back. Sockets f creates belong to ns for good, so
// a connection dialled in f keeps working after Do returns. If the thread
// cannot be moved back, it stays locked to this goroutine, which makes the
// Go runtime end it rather than run other goroutines in the wrong
// namespace.
func Do(ns string, f func() error) (err error) {
	target, err := openNS(ns)
	if err != nil {
		return err
	}
	defer target.Close()
	runtime.LockOSThread()
	home := false // whether the thread is back in our namespace
	defer func() {
		if home {
			runtime.UnlockOSThread()
		}
	}()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		home = true
		return fmt.Errorf("netns: our own namespace: %w", err)
	}
	defer orig.Close()
	if err := setns(target.Fd()); err != nil {
		home = true
		return fmt.Errorf("netns: joining %s: %w", ns, err)
	}
	// Deferred, so that a panic in f moves the thread back too.
	defer func() {
		if serr := setns(orig.Fd()); serr != nil {
			err = fmt.Errorf("netns: leaving %s: %w (the thread is retired)", ns, serr)
			return
		}
		home = true
	}()
	return f()
}

func openNS(ns string) (*os.File, error) {
	var first error
	for _, dir := range netnsDirs {
		f, err := os.Open(filepath.Join(dir, ns))
		if err == nil {
			return f, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, fmt.Errorf("netns: namespace %s: %w", ns, first)
}

// DialIn connects to addr (tcp) from inside namespace ns.
func DialIn(ctx context.Context, ns, addr string) (net.Conn, error) {
	var conn net.Conn
	err := Do(ns, func() error {
		var err error
		// An IP literal: no resolver goroutine; the socket is made on
		// this goroutine's (locked) thread.
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		return err
	})
	return conn, err
}

// Dial connects to addr from the hub, the lab's vantage point on the
// bridge (HubIP).
func (l *Lab) Dial(ctx context.Context, addr string) (net.Conn, error) {
	return DialIn(ctx, l.Hub, addr)
}

// ListenIn listens on addr (tcp) inside namespace ns.
func ListenIn(ns, addr string) (net.Listener, error) {
	var ln net.Listener
	err := Do(ns, func() error {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err
	})
	return ln, err
}
