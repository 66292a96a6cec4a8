// Package netns builds a private network of Linux network namespaces for
// end-to-end tests that need real partitions: one namespace per node,
// each joined by a veth pair to a bridge in a hub namespace of its own.
// Nothing is added to, or changed in, the namespace the test runs in: the
// hub holds the bridge and the address (10.213.0.1) from which the test
// reaches the nodes (Lab.Dial), and each node namespace holds its end of
// its veth (eth0, 10.213.0.10+i) and its loopback.
//
// Faults are made with the kernel's own means, since tc netem is not
// available everywhere (it is not in the kernel this project's CI runs):
// a node's link taken down (it reaches nobody and nobody reaches it) and
// blackhole routes in a node's namespace (packets from it to the named
// addresses are dropped, in one direction only unless both directions are
// blackholed).
//
// Every name starts with a prefix that holds the creating process's pid
// (zkfle-<pid>-), so concurrent runs do not collide and a later run can
// remove what a crashed one left behind (SweepStale). It needs root (or
// CAP_SYS_ADMIN and CAP_NET_ADMIN) and the ip(8) command; Supported says
// whether both are there.
package netns
