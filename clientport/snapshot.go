package clientport

import (
	"time"

	"github.com/zkfle/zkfle/fourletter"
	"github.com/zkfle/zkfle/fourletter/hostinfo"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// snapshot gathers what the answer to word needs. Reading descriptors,
// directories or the connection status happens only for the words that
// print them.
func (s *Server) snapshot(word string) fourletter.Snapshot {
	cfg := &s.o.Config
	sc := s.o.Node.State()
	s.st.waitFor(sc, catchUpWait)
	now := time.Now()
	snap := fourletter.Snapshot{
		ServerID:   cfg.ID,
		State:      messages.ServerState_LOOKING,
		Membership: cfg.Verifier.String(),
		QuorumSize: len(cfg.Verifier.VotingMembers()),
		Now:        now,
		Clients:    s.conns.clients(now, s.wordWait()),
	}
	if sc != nil {
		snap.State, snap.LeaderID, snap.Zxid = sc.GetNewState(), sc.GetLeader(), sc.GetZxid()
		snap.ElectionEpoch, snap.PeerEpoch = sc.GetElectionEpoch(), sc.GetPeerEpoch()
	}
	s.st.fill(&snap, now)
	if f, ok := s.o.Node.DiskFault(); ok {
		snap.DiskFault = "cannot persist epochs in " + f.Dir + ": " + f.Err
	}
	if (word == fourletter.Conf || word == fourletter.Mntr) && cfg.TLS != nil {
		st := s.o.Node.TLSStatus()
		snap.TLS = &fourletter.TLSInfo{PortUnification: st.PortUnification, DialPlaintext: st.DialPlaintext,
			Subject: st.Subject, NotAfter: st.NotAfter}
	}
	switch word {
	case fourletter.Conf, fourletter.Dirs:
		snap.Config.DataDirSize = hostinfo.VersionDirSize(snap.Config.DataDir)
		snap.Config.DataLogSize = hostinfo.VersionDirSize(snap.Config.DataLogDir)
	case fourletter.Mntr:
		snap.FileDescriptors = hostinfo.Descriptors()
		if snap.State == messages.ServerState_LEADING {
			snap.Learners = s.learners()
		}
	}
	return snap
}

// learners is what a zkfle leader counts as its learners: the members it
// has an election connection to. zkfle's leader does not track which
// learners synced; a member that keeps its election connection to the
// leader is the nearest thing to one that is following it.
func (s *Server) learners() []fourletter.Learner {
	status, err := s.o.Node.CnxStatus(learnerQueryTimeout)
	if err != nil {
		s.log.Debug("no connection status for mntr", "reason", err.Error())
		return nil
	}
	cfg := &s.o.Config
	seen := map[int64]bool{}
	var out []fourletter.Learner
	for _, p := range status.GetPeers() {
		srv, member := cfg.Verifier.Server(p.GetSid())
		if !p.GetConnected() || !member || p.GetSid() == cfg.ID || seen[p.GetSid()] {
			continue
		}
		seen[p.GetSid()] = true
		out = append(out, fourletter.Learner{ID: p.GetSid(), Observer: srv.Type == quorum.Observer})
	}
	return out
}
