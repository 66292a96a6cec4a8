package actors

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/internal/acceptloop"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/quorumtls"
)

// listenerActor is QuorumCnxManager's Listener: it binds the election
// port(s) (with ZooKeeper's bind retry), accepts connections, and reads
// each initial message under the handshake timeout. Unlike ZooKeeper,
// which reads handshakes one at a time on the listener thread (so one
// silent peer stalls everyone for the whole timeout), every handshake gets
// its own goroutine, up to Config.MaxPendingHandshakes.
type listenerActor struct {
	rt   *runtime
	lns  *listenerSet
	hs   *handshakes
	done chan struct{}
	wg   sync.WaitGroup
}

func newListenerProps(rt *runtime) *actor.Props {
	return rt.props(KindListener, func() actor.Actor { return &listenerActor{rt: rt} })
}

// handshakeRejected reports an inbound connection closed before or during
// its handshake (Listener -> ConnectionManager, which counts and logs).
type handshakeRejected struct {
	remote string
	reason string
	detail string
	// sid is the claimed server id, when the header was read (claimed).
	sid     int64
	claimed bool
	// allowed are the addresses the claimed sid's server line allows
	// (source-mismatch only).
	allowed []string
	// names are the certificate's subject and alternative names
	// (identity-mismatch only).
	names []string
}

func (l *listenerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		l.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		l.stop()
	case *listenerFailed:
		ctx.Send(l.rt.dir.cnxManager.get(), m)
	}
}

func (l *listenerActor) start(ctx actor.Context) {
	l.done = make(chan struct{})
	members, names := newMemberSources(l.rt.cfg)
	l.hs = newHandshakes(l.rt.cfg.MaxPendingHandshakes, members)
	if len(names) > 0 {
		// Members configured by name get their allowance once resolved
		// (bounded by the resolver timeout), off the actor's goroutine.
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for _, name := range names {
				addrs, _ := l.rt.peerSources().addrsOf(name, false)
				members.add(addrs...)
			}
		}()
	}
	l.lns = &listenerSet{}
	// The parent, not the directory: the connection manager may start
	// (and spawn us) before its parent has published its PID.
	system, self, cnx := ctx.ActorSystem(), ctx.Self(), ctx.Parent()
	report := func(msg any) { system.Root.Send(cnx, msg) }
	if len(l.rt.listener) > 0 {
		// Handed in by the caller: they may carry the deadline a previous
		// incarnation set to stop its accept loop.
		for _, ln := range l.rt.listener {
			clearDeadline(ln)
			l.lns.add(ln, false)
			l.serve(ln, report)
		}
		return
	}
	addrs := l.bindAddrs()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for _, addr := range addrs {
			ln, err := l.bind(addr)
			if err != nil {
				system.Root.Send(self, &listenerFailed{err: err})
				return
			}
			if !l.lns.add(ln, true) {
				return // stopped while binding
			}
			l.rt.log.Info("listening for election connections", "addr", ln.Addr().String())
			l.serve(ln, report)
		}
	}()
}

// bindAddrs lists this server's election addresses, or the wildcard on the
// same ports with ListenOnAllIPs (quorumListenOnAllIPs).
func (l *listenerActor) bindAddrs() []string {
	me, _ := l.rt.cfg.Verifier.Server(l.rt.cfg.ID)
	out := make([]string, 0, len(me.Addrs))
	for _, a := range me.Addrs {
		host := a.Host
		if l.rt.cfg.ListenOnAllIPs {
			host = ""
		}
		out = append(out, net.JoinHostPort(host, strconv.Itoa(a.ElectionPort)))
	}
	return out
}

// bind is ZooKeeper's Listener bind loop: up to ElectionPortBindRetry
// tries (0 = forever), BindRetryInterval apart, resolving the address
// afresh each time (ZOOKEEPER-3991).
func (l *listenerActor) bind(addr string) (net.Listener, error) {
	tries := l.rt.cfg.ElectionPortBindRetry
	var last error
	for attempt := 1; tries == 0 || attempt <= tries; attempt++ {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln, nil
		}
		last = err
		l.rt.log.Warn("cannot bind election port", "addr", addr, "attempt", attempt, "reason", err.Error())
		select {
		case <-l.done:
			return nil, errors.New("listener stopped")
		case <-time.After(l.rt.cfg.BindRetryInterval):
		}
	}
	return nil, fmt.Errorf("%w %s after %d attempts: %v", ErrBindFailed, addr, tries, last)
}

// serve runs ln's accept loop on its own goroutine.
func (l *listenerActor) serve(ln net.Listener, report func(any)) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer recoverGoroutine(l.rt, "listener accept loop")
		err := acceptloop.Serve(ln, l.done, func(conn net.Conn) { l.handshake(conn, report) }, func(err error) {
			// EMFILE and friends: the loop backs off and keeps serving.
			l.rt.warnings().Warn("accept failed", ln.Addr().String(), "accept-failed", "detail", err.Error())
		})
		if errors.Is(err, acceptloop.ErrPanicked) {
			l.rt.log.Error("goroutine panicked", "goroutine", "listener accept loop", "reason", err.Error())
		}
		// Otherwise: stopped, closed, or our own deadline (a restart
		// stopping us).
	}()
}

// handshake reads conn's initial message on its own goroutine.
func (l *listenerActor) handshake(conn net.Conn, report func(any)) {
	remote := conn.RemoteAddr().String()
	seq, accepted := l.rt.cnx.acceptSeq.Add(1), time.Now()
	if ok, why := l.hs.add(conn); !ok {
		_ = conn.Close()
		report(&handshakeRejected{remote: remote, reason: "too-many-handshakes", detail: why})
		return
	}
	timeout := l.rt.cfg.handshakeTimeout()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer recoverGoroutine(l.rt, "handshake")
		setSockOpts(conn, l.rt.cfg.TCPKeepAlive)
		deadline := time.Now().Add(timeout)
		// With TLS the header is read inside the TLS stream, and the TLS
		// handshake and the header share one handshake timeout.
		c, leaf, tlsOn, err := l.secure(conn, deadline)
		var hdr electionwire.InitialMessage
		if err == nil {
			_ = c.SetReadDeadline(deadline)
			hdr, err = electionwire.ReadInitialMessage(c)
		}
		if err == nil {
			err = conn.SetDeadline(time.Time{})
		}
		if !l.hs.remove(conn) {
			return // stop closed it
		}
		if err != nil {
			_ = conn.Close()
			reason, detail := handshakeFailure(err, timeout)
			report(&handshakeRejected{remote: remote, reason: reason, detail: detail})
			return
		}
		// With TLS, the certificate must prove the sid the header claims
		// (a member's certificate cannot speak for another member), before
		// the tie-break, like the source check below.
		if tlsOn && !l.rt.cfg.TLS.SkipIdentityCheck {
			if err := l.rt.verifyIdentity(leafChain(leaf), hdr.SID); err != nil {
				_ = conn.Close()
				l.rt.tlsStats().add(TLSPortElection, TLSFailIdentity)
				report(&handshakeRejected{remote: remote, reason: "tls-" + TLSFailIdentity, detail: err.Error(),
					sid: hdr.SID, claimed: true, names: quorumtls.CertNames(orEmpty(leaf))})
				return
			}
		}
		// The claim is all a peer offers without TLS: a member's sid is
		// taken only from an address its server line names. Checked here,
		// not in the connection manager, because a host name may have to
		// be resolved. A refused claim never reaches the tie-break, so it
		// can neither replace nor tear down a live connection.
		if err := l.rt.peerSources().check(hdr.SID, conn.RemoteAddr()); err != nil {
			_ = conn.Close()
			rej := &handshakeRejected{remote: remote, reason: "source-mismatch", detail: err.Error(),
				sid: hdr.SID, claimed: true}
			var pse *PeerSourceError
			if errors.As(err, &pse) {
				rej.allowed = pse.Allowed
			}
			report(rej)
			return
		}
		select {
		case <-l.done:
			_ = conn.Close()
		default:
			report(&inboundConn{conn: c, header: hdr, seq: seq, accepted: accepted})
		}
	}()
}

// stop ends the accept loops and pending handshakes and waits for every
// goroutine (see listenerSet.shutdown for what happens to the listeners).
func (l *listenerActor) stop() {
	if l.done == nil {
		return
	}
	close(l.done)
	l.lns.shutdown()
	l.hs.closeAll()
	l.wg.Wait()
}

// secure runs the TLS server handshake on an accepted election
// connection when TLS is on (see runtime.acceptTLS). It returns the
// connection to read the header from, the peer's certificate, and
// whether the connection is TLS (false without TLS, and for plaintext
// accepted by portUnification, which is then checked as without TLS).
func (l *listenerActor) secure(conn net.Conn, deadline time.Time) (net.Conn, *x509.Certificate, bool, error) {
	if l.rt.cfg.TLS == nil {
		return conn, nil, false, nil
	}
	c, leaf, plain, err := l.rt.acceptTLS(conn, TLSPortElection, deadline)
	return c, leaf, err == nil && !plain, err
}

// leafChain is leaf as the chain verifyIdentity takes.
func leafChain(leaf *x509.Certificate) []*x509.Certificate {
	if leaf == nil {
		return nil
	}
	return []*x509.Certificate{leaf}
}

// orEmpty is leaf, or an empty certificate to name.
func orEmpty(leaf *x509.Certificate) *x509.Certificate {
	if leaf == nil {
		return &x509.Certificate{}
	}
	return leaf
}

// handshakeFailure names why an initial message was refused.
func handshakeFailure(err error, timeout time.Duration) (reason, detail string) {
	var ne net.Error
	var te *tlsError
	switch {
	case errors.As(err, &te):
		return "tls-" + te.reason, err.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return "handshake-timeout", fmt.Sprintf("no complete initial message within %v", timeout)
	case errors.Is(err, electionwire.ErrUnknownProtocolVersion):
		return "bad-protocol-version", err.Error()
	case errors.Is(err, electionwire.ErrAddrLength):
		return "bad-address-length", err.Error()
	case errors.Is(err, electionwire.ErrBadAddress):
		return "bad-address", err.Error()
	case errors.Is(err, electionwire.ErrTruncated):
		return "truncated-header", err.Error()
	default:
		return "handshake-error", err.Error()
	}
}

// recoverGoroutine keeps a panic in one of our helper goroutines from
// killing the process: nothing recovers those but us.
func recoverGoroutine(rt *runtime, what string) {
	if r := recover(); r != nil {
		rt.log.Error("goroutine panicked", "goroutine", what, "reason", fmt.Sprint(r))
	}
}
