package quorumpeer

// A server that cannot persist its epoch files cannot lead (a leader
// writes acceptedEpoch and currentEpoch before it is established) and can
// follow only a leader whose epoch it has already accepted. If it kept
// standing for leader it would keep winning elections it then abandons,
// burning an epoch each time while a healthy majority waits (issue 11).
// So after a failed epoch write, or a failed probe, the server is
// disk-faulted: its rounds start with Candidate false, and the driver
// probes the epoch directory every ProbeInterval until a write succeeds.
// Which errors are the disk's (not a refused epoch value) is the driver's
// to judge: it calls DiskFailed only for those.

// DiskFailed records that a write to the epoch directory failed through
// the disk's fault: an epoch write of a session, or the driver's probe at
// start. The server stops standing for leader from its next round on; the
// probe timer is armed when the loop next starts looking or backs off
// (the failed write ends its session).
func (p *Peer) DiskFailed() Output {
	var out Output
	p.fault(&out)
	return out
}

// DiskWritten records a successful epoch write: the fault, if any, is
// over, and the next round stands again. The running session goes on.
func (p *Peer) DiskWritten() Output {
	var out Output
	p.clearFault(&out)
	return out
}

// ProbeDue is the probe timer's firing: the current arming of a faulted
// server runs a probe (RunProbe). A stale firing, or one after the fault
// cleared, does nothing.
func (p *Peer) ProbeDue(gen uint64) Output {
	var out Output
	if gen != p.probeGen {
		return out
	}
	p.probeArmed = false
	if !p.faulted {
		return out
	}
	out.RunProbe = true
	return out
}

// Probed is a probe's result. A failure keeps (or makes) the server
// faulted and probes again later. A success clears the fault, resets the
// back-off and starts a round at once in which the server stands, unless
// a session runs (it goes on; the next round stands).
func (p *Peer) Probed(ok bool) Output {
	var out Output
	if !ok {
		p.fault(&out)
		p.armProbe(&out)
		return out
	}
	if !p.clearFault(&out) {
		return out
	}
	p.failures = 0
	if p.decision == nil {
		p.startLooking(&out, LeaderLost)
	}
	return out
}

// fault marks the server faulted.
func (p *Peer) fault(out *Output) {
	if p.faulted {
		return
	}
	p.faulted = true
	f := true
	out.Disk = &f
}

// clearFault ends a fault; it reports whether there was one.
func (p *Peer) clearFault(out *Output) bool {
	if !p.faulted {
		return false
	}
	p.faulted = false
	f := false
	out.Disk = &f
	return true
}

// armProbe arms the probe timer while the server is faulted. One timer at
// a time: a newer arming makes older firings stale.
func (p *Peer) armProbe(out *Output) {
	if !p.faulted || p.probeArmed {
		return
	}
	p.probeArmed = true
	p.probeGen++
	out.ArmProbe = &ProbeTimer{After: p.cfg.ProbeInterval, Gen: p.probeGen}
}
