package netns

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireSupported skips (loudly) where namespaces cannot be made, and
// fails under CI, which runs as root and must run these tests.
func requireSupported(t *testing.T) {
	t.Helper()
	if err := Supported(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must be able to create network namespaces: %v", err)
		}
		t.Skipf("SKIPPING: network namespace tests need root and ip(8): %v", err)
	}
}

// greeter listens on port 7 inside ns and answers every connection with
// the namespace's name.
func greeter(t *testing.T, ns, ip string) {
	t.Helper()
	ln, err := ListenIn(ns, ip+":7")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte(ns))
			_ = c.Close()
		}
	}()
}

// reach dials addr from ns and returns what the greeter said, or the
// error.
func reach(ns, addr string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := DialIn(ctx, ns, addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	b, err := io.ReadAll(c)
	return string(b), err
}

func TestLabFaults(t *testing.T) {
	requireSupported(t)
	l, err := New(3)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, l.Close()) })
	for _, n := range l.Nodes() {
		greeter(t, n.NS, n.IP)
	}
	addr := func(i int) string { return l.Node(i).IP + ":7" }
	const quick = time.Second
	canReach := func(from string, to int) bool {
		got, err := reach(from, addr(to), quick)
		return err == nil && got == l.Node(to).NS
	}
	hub, ns1, ns2 := l.Hub, l.Node(1).NS, l.Node(2).NS

	require.True(t, canReach(hub, 1), "hub -> 1")
	require.True(t, canReach(ns1, 2), "1 -> 2")
	require.True(t, canReach(ns2, 1), "2 -> 1")

	// One direction: 1's packets to 2 are dropped; 2's SYN reaches 1
	// but 1's answer does not get back, so both connects fail, while the
	// hub still reaches both.
	require.NoError(t, l.Blackhole(1, 2))
	assert.False(t, canReach(ns1, 2), "1 -> 2 blackholed")
	assert.False(t, canReach(ns2, 1), "2 -> 1: the SYN-ACK is blackholed")
	assert.True(t, canReach(hub, 1))
	assert.True(t, canReach(hub, 2))
	assert.True(t, canReach(ns1, 3))
	assert.Equal(t, [][2]int{{1, 2}}, l.Blackholes())
	require.NoError(t, l.Unblackhole(1, 2))
	assert.True(t, canReach(ns1, 2))

	// A pulled cable: nobody reaches node 2, the others are untouched.
	require.NoError(t, l.Cut(2))
	assert.False(t, canReach(hub, 2))
	assert.False(t, canReach(ns1, 2))
	assert.True(t, canReach(ns1, 3))
	assert.Equal(t, []int{2}, l.CutNodes())
	require.NoError(t, l.Reconnect(2))
	require.Eventually(t, func() bool { return canReach(ns1, 2) }, 10*time.Second, 50*time.Millisecond)

	// {1} | {2,3}, then heal everything.
	require.NoError(t, l.Partition([]int{1}, []int{2, 3}))
	assert.False(t, canReach(ns1, 3))
	assert.False(t, l.Healed())
	require.NoError(t, l.Cut(3))
	require.NoError(t, l.Heal())
	assert.True(t, l.Healed())
	require.Eventually(t, func() bool { return canReach(ns1, 3) && canReach(ns2, 1) }, 10*time.Second, 50*time.Millisecond)

	require.NoError(t, l.Close())
	names, err := List()
	require.NoError(t, err)
	for _, ns := range names {
		assert.Falsef(t, strings.HasPrefix(ns, l.Prefix), "namespace %s left behind", ns)
	}
	assert.ErrorIs(t, l.Cut(1), ErrClosed)
}

// Nothing the lab makes appears in the caller's namespace.
func TestLabLeavesCallerNamespaceAlone(t *testing.T) {
	requireSupported(t)
	before, err := ipOutput("-o", "link")
	require.NoError(t, err)
	routesBefore, err := ipOutput("route")
	require.NoError(t, err)
	l, err := New(2)
	require.NoError(t, err)
	during, err := ipOutput("-o", "link")
	require.NoError(t, err)
	routesDuring, err := ipOutput("route")
	require.NoError(t, err)
	require.NoError(t, l.Close())
	assert.Equal(t, linkNames(before), linkNames(during))
	assert.Equal(t, routesBefore, routesDuring)
}

func linkNames(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			names = append(names, f[1])
		}
	}
	return names
}

// A namespace left by a dead process is swept; one of a live process,
// and one with a name of no lab, are not.
func TestSweepStale(t *testing.T) {
	requireSupported(t)
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	stale := fmt.Sprintf("%s%d-1-hub", NamePrefix, dead.Process.Pid)
	live := fmt.Sprintf("%s%d-1-n1", NamePrefix, os.Getppid())
	other := fmt.Sprintf("%sother-%d", NamePrefix, os.Getpid())
	for _, ns := range []string{stale, live, other} {
		require.NoError(t, ip("netns", "add", ns))
		ns := ns
		t.Cleanup(func() { _ = ip("netns", "del", ns) })
	}
	removed, err := SweepStale()
	require.NoError(t, err)
	assert.Contains(t, removed, stale)
	names, err := List()
	require.NoError(t, err)
	assert.NotContains(t, names, stale)
	assert.Contains(t, names, live)
	assert.Contains(t, names, other)
}

func TestNewRejectsSizes(t *testing.T) {
	_, err := New(0)
	assert.Error(t, err)
	_, err = New(201)
	assert.Error(t, err)
}

// Listening works inside a namespace and the connection outlives Do.
func TestDialOutlivesDo(t *testing.T) {
	requireSupported(t)
	l, err := New(1)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	ln, err := ListenIn(l.Node(1).NS, l.Node(1).IP+":9")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	c, err := l.Dial(context.Background(), l.Node(1).IP+":9")
	require.NoError(t, err)
	defer c.Close()
	s := <-accepted
	defer s.Close()
	assert.Equal(t, HubIP, s.RemoteAddr().(*net.TCPAddr).IP.String())
	_, err = c.Write([]byte("ping"))
	require.NoError(t, err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(s, buf)
	require.NoError(t, err)
	assert.Equal(t, "ping", string(buf))
}

// Do moves the thread back to our namespace even when f panics.
func TestDoRestoresNamespace(t *testing.T) {
	requireSupported(t)
	l, err := New(1)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	runtime.LockOSThread() // nested with Do's: the thread stays ours to inspect
	defer runtime.UnlockOSThread()
	home, err := os.Readlink("/proc/thread-self/ns/net")
	require.NoError(t, err)
	var inside string
	require.NoError(t, Do(l.Hub, func() error {
		inside, err = os.Readlink("/proc/thread-self/ns/net")
		return err
	}))
	assert.NotEqual(t, home, inside)
	now, err := os.Readlink("/proc/thread-self/ns/net")
	require.NoError(t, err)
	assert.Equal(t, home, now)

	func() {
		defer func() { assert.Equal(t, "boom", recover()) }()
		_ = Do(l.Hub, func() error { panic("boom") })
	}()
	now, err = os.Readlink("/proc/thread-self/ns/net")
	require.NoError(t, err)
	assert.Equal(t, home, now, "a panic in f left the thread in the hub")
	assert.Error(t, Do("zkfle-no-such-namespace", func() error { return nil }))
}
