package actors

import (
	"crypto/x509"
	"strings"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorumtls"
	"github.com/zkfle/zkfle/zab"
)

// maxHeldPackets bounds what a learner may send while its claim's source
// check runs; a real learner sends one packet and waits for LEADERINFO.
const maxHeldPackets = 16

// claimGate keeps a learner's claim from reaching the LeaderSession before
// its source address is checked: the first packet of every connection
// names a sid, and the connection must come from an address that sid's
// server line names (peerSources). zab checks what the claim says
// (membership, role, epoch); this checks where it came from, which only
// the actor knows. The check may resolve a host name, so it runs on its
// own goroutine, and the connection's packets wait for it in order.
//
// With TLS, the gate also checks that the learner's certificate proves
// the sid it claims (quorumtls.VerifyIdentity): a member's valid
// certificate cannot speak for another member.
type claimGate struct {
	vetted map[zab.ConnID]bool                // first packet checked (passed, or left to zab to refuse)
	held   map[zab.ConnID][]quorumwire.Packet // packets waiting for a check in flight
	// certs holds the TLS connections' peer certificates (plaintext
	// connections, accepted by portUnification, have none).
	certs  map[zab.ConnID]tlsPeer
	checks sync.WaitGroup
}

// tlsPeer is what a TLS connection's handshake proved: its leaf
// certificate.
type tlsPeer struct{ leaf *x509.Certificate }

// claimChecked reports one source check to the Leader.
type claimChecked struct {
	conn zab.ConnID
	sid  int64
	err  error
	// names are the certificate's names when err is an identity mismatch.
	names []string
}

func newClaimGate() claimGate {
	return claimGate{vetted: map[zab.ConnID]bool{}, held: map[zab.ConnID][]quorumwire.Packet{},
		certs: map[zab.ConnID]tlsPeer{}}
}

// forget drops a connection's gate state.
func (g *claimGate) forget(c zab.ConnID) {
	delete(g.vetted, c)
	delete(g.held, c)
	delete(g.certs, c)
}

// claimedSID is the sid a learner's first packet claims, if it is a
// readable FOLLOWERINFO or OBSERVERINFO; anything else goes to the session,
// which refuses it.
func claimedSID(p quorumwire.Packet) (int64, bool) {
	if p.Type != quorumwire.FollowerInfo && p.Type != quorumwire.ObserverInfo {
		return 0, false
	}
	li, err := quorumwire.DecodeLearnerInfo(p.Data)
	if err != nil {
		return 0, false
	}
	return li.ServerID, true
}

// packet routes a packet from a quorum bridge: straight to the session
// once the connection's claim passed, held while its check runs, and the
// first one starts the check.
func (l *leaderActor) packet(ctx actor.Context, m *messages.QuorumPacketReceived) {
	id := zab.ConnID(m.GetConn())
	if _, ok := l.conns[id]; !ok || l.over {
		return
	}
	p := netbridge.QuorumPacketFromProto(m.GetPacket())
	if l.gate.vetted[id] {
		l.apply(ctx, l.session.Received(id, p))
		return
	}
	if held, checking := l.gate.held[id]; checking {
		if len(held) >= maxHeldPackets {
			l.drop(ctx, id, "quorum-flood", -1, "more than 16 packets before the learner's claim was checked")
			l.apply(ctx, l.session.Disconnected(id))
			return
		}
		l.gate.held[id] = append(held, p)
		return
	}
	sid, ok := claimedSID(p)
	if !ok {
		l.gate.vetted[id] = true
		l.apply(ctx, l.session.Received(id, p))
		return
	}
	l.gate.held[id] = []quorumwire.Packet{p}
	rt, sources, remote := l.rt, l.rt.peerSources(), l.remotes[id]
	peer, tlsOn := l.gate.certs[id]
	checkIdentity := tlsOn && !rt.cfg.TLS.SkipIdentityCheck
	system, self := ctx.ActorSystem(), ctx.Self()
	l.gate.checks.Add(1)
	go func() {
		defer l.gate.checks.Done()
		if checkIdentity {
			if err := rt.verifyIdentity(leafChain(peer.leaf), sid); err != nil {
				rt.tlsStats().add(TLSPortQuorum, TLSFailIdentity)
				system.Root.Send(self, &claimChecked{conn: id, sid: sid, err: err,
					names: quorumtls.CertNames(orEmpty(peer.leaf))})
				return
			}
		}
		system.Root.Send(self, &claimChecked{conn: id, sid: sid, err: sources.check(sid, remote)})
	}()
}

// claimChecked lets the held packets through, or refuses the connection:
// a claim from the wrong address never reaches the session, so it neither
// counts nor displaces the sid's live connection.
func (l *leaderActor) claimChecked(ctx actor.Context, m *claimChecked) {
	held := l.gate.held[m.conn]
	delete(l.gate.held, m.conn)
	if _, ok := l.conns[m.conn]; !ok || l.over {
		l.gate.forget(m.conn)
		return
	}
	if m.err != nil && m.names != nil {
		l.drop(ctx, m.conn, "tls-"+TLSFailIdentity, m.sid, m.err.Error(), "cert_names", strings.Join(m.names, ","))
		l.apply(ctx, l.session.Disconnected(m.conn))
		return
	}
	if m.err != nil {
		l.drop(ctx, m.conn, "source-mismatch", m.sid, m.err.Error())
		l.apply(ctx, l.session.Disconnected(m.conn))
		return
	}
	l.gate.vetted[m.conn] = true
	for _, p := range held {
		if _, ok := l.conns[m.conn]; !ok || l.over {
			return
		}
		l.apply(ctx, l.session.Received(m.conn, p))
	}
}

// drop closes a connection the actor refuses, with one rate-limited line.
func (l *leaderActor) drop(ctx actor.Context, id zab.ConnID, reason string, sid int64, detail string, extra ...any) {
	args := append([]any{"sid", sid, "conn", uint64(id), "detail", detail}, extra...)
	l.rt.warnings().Warn("refused quorum connection", sourceOf(l.remotes[id]), reason, args...)
	if pid, ok := l.conns[id]; ok {
		ctx.Stop(pid)
	}
	l.forgetConn(id)
}
