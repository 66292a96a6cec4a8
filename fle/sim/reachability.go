package sim

// Reachability reports for the fast paths (Config.FastPaths): what a
// node's connection manager learns about its peers, fed to its machine as
// fle.Machine.PeerUnreachable and PeerReachable.

// report is one pending unreachability report.
type report struct {
	n, peer *node
	inc     uint64
	why     string
}

// unreachable tells node n's machine that peer is unreachable: n's dial
// to it failed or its manager said their connection's close means peer
// is gone (cnx.Manager.Closed). A report made while an input is being
// carried out waits until it is done (a real connection manager reports
// to the election after the failure, never in the middle of one of its
// inputs); it is dropped if n has crashed or got a live link to peer
// meanwhile.
func (c *Cluster) unreachable(n, peer *node, why string) {
	if !c.fast || !n.up {
		return
	}
	c.reports = append(c.reports, report{n: n, peer: peer, inc: n.inc, why: why})
	if c.depth == 0 {
		c.drain()
	}
}

// drain carries out the waiting connection work (network.go: dials,
// closes heard by the other end) and then hands the pending reports to
// their machines, in order, including any work and reports their outputs
// cause.
func (c *Cluster) drain() {
	if c.draining {
		return
	}
	c.draining = true
	defer func() { c.draining = false }()
	for {
		if len(c.net.jobs) > 0 {
			job := c.net.jobs[0]
			c.net.jobs = c.net.jobs[1:]
			c.depth++
			job()
			c.depth--
			continue
		}
		if len(c.reports) == 0 {
			return
		}
		r := c.reports[0]
		c.reports = c.reports[1:]
		n := r.n
		if !n.up || n.inc != r.inc || linked(n, r.peer.sid) {
			continue
		}
		rm, ok := n.m.(reachabilityMachine)
		if !ok {
			continue
		}
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceUnreachable, Node: n.sid, Peer: r.peer.sid, Note: r.why})
		c.apply(n, rm.PeerUnreachable(r.peer.sid))
	}
}

// hold makes connection work and reports wait until the returned release
// is called: for the inputs (crash, partition, apply) that may make
// several at once.
func (c *Cluster) hold() (release func()) {
	c.depth++
	return func() {
		c.depth--
		if c.depth == 0 {
			c.drain()
		}
	}
}

// reachableAgain tells node n's machine that its manager adopted a live
// link to peer.
func (c *Cluster) reachableAgain(n, peer *node) {
	if !c.fast || !n.up {
		return
	}
	if rm, ok := n.m.(reachabilityMachine); ok {
		rm.PeerReachable(peer.sid)
	}
}
