package actors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/fourletter"
	"github.com/zkfle/zkfle/fourletter/hostinfo"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

const (
	// maxClientPortConns caps open client-port connections in total
	// (ZooKeeper's maxClientCnxns default), so a flood from many sources
	// costs a bounded number of goroutines and descriptors.
	maxClientPortConns = fourletter.DefaultMaxClientCnxns
	// maxClientPortConnsPerSource caps them per source IP, well below the
	// total: one host holding stalled connections (each lives up to
	// maxWordWait) cannot leave srvr unanswered for everyone else, as one
	// shared cap did (issue 11). Monitoring tools open one at a time.
	maxClientPortConnsPerSource = 8
	// maxWordWait caps how long a client has to send its word. Tools send
	// it at once; a silent client holds one of the few slots.
	maxWordWait = 3 * time.Second
	// learnerQueryTimeout bounds asking the connection manager which
	// peers a leader is connected to (mntr's learner counts).
	learnerQueryTimeout = time.Second
	// drainTimeout and drainLimit bound reading what a client sent after
	// its word (`echo srvr | nc` sends a newline), once the answer is
	// written: closing a socket with unread input makes the kernel send
	// a reset, which can destroy the answer before the client reads it.
	drainTimeout = time.Second
	drainLimit   = 64 << 10
)

// clientPortActor serves ZooKeeper's four-letter words on the client port
// (Config.ClientAddr), as ZooKeeper 3.8's NIO connection factory does:
// read four bytes, write the answer, close. Anything else ZooKeeper does
// on that port (sessions) zkfle does not: a connection whose first four
// bytes are not a known word is closed, as ZooKeeper closes one whose
// request length is absurd.
//
// An accept goroutine takes connections and gives each its own goroutine,
// up to maxClientPortConns; a watcher goroutine follows the node's state.
// Stopping or restarting closes the listener and every connection and
// waits for all of them. What the answers count across restarts lives in
// clientPortState.
type clientPortActor struct {
	rt     *runtime
	st     *clientPortState
	guard  *incarnationGuard
	ln     net.Listener
	conns  *clientConns
	done   chan struct{}
	wg     sync.WaitGroup
	system *actor.ActorSystem
}

// newClientPortProps builds the client-port actor's props for the root to
// spawn. With Config.ClientAddr empty the actor serves nothing.
func newClientPortProps(rt *runtime) *actor.Props {
	return clientPortProps(rt, newClientPortState(rt, time.Now()))
}

// clientPortProps builds the props around a given state (tests read it).
func clientPortProps(rt *runtime, st *clientPortState) *actor.Props {
	guard := &incarnationGuard{}
	return rt.props(KindClientPort, func() actor.Actor {
		return &clientPortActor{rt: rt, st: st, guard: guard}
	})
}

// Receive handles one message.
func (c *clientPortActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if c.guard.stopped.Load() {
			return // a zombie incarnation (protoactor.md §2.7): bind nothing
		}
		c.start(ctx)
		// Catch up with what was published before we existed; the root
		// forwards every later change.
		c.st.observe(c.rt.pub.get(), time.Now())
	case *messages.StateChanged:
		c.st.observe(m, time.Now())
	case *actor.Stopping, *actor.Restarting:
		c.stop()
	case *actor.Stopped:
		c.guard.stopped.Store(true)
	}
}

func (c *clientPortActor) start(ctx actor.Context) {
	if c.rt.cfg.ClientAddr == "" {
		return
	}
	// The first incarnation serves the listener Start bound; a restart
	// binds the port the first incarnation got (it may have asked for
	// port 0).
	ln := c.rt.clientLn.take()
	if ln == nil {
		addr := c.st.listenAddr(c.rt.cfg.ClientAddr)
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			// As ZooKeeper, which does not run without its client port:
			// another process answering srvr there would speak for us.
			err = fmt.Errorf("%w %s: %w", ErrClientPortBind, addr, err)
			c.rt.log.Error("node cannot continue", "reason", err.Error())
			c.rt.pub.setFatal(err)
			return
		}
	}
	c.ln = ln
	c.st.setBound(ln.Addr())
	c.rt.log.Info("serving four-letter words", "addr", ln.Addr().String())
	c.done = make(chan struct{})
	c.conns = &clientConns{max: maxClientPortConns, maxPerSource: maxClientPortConnsPerSource}
	c.system = ctx.ActorSystem()
	c.wg.Add(1)
	go c.accept()
}

// stop closes the listener and every connection and waits for every
// goroutine of this incarnation.
func (c *clientPortActor) stop() {
	if c.done == nil {
		return
	}
	close(c.done)
	_ = c.ln.Close()
	c.conns.closeAll()
	c.wg.Wait()
	c.done = nil
}

// accept is the accept loop.
func (c *clientPortActor) accept() {
	defer c.wg.Done()
	defer recoverGoroutine(c.rt, "client port accept loop")
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			select {
			case <-c.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off briefly, keep serving.
			c.rt.log.Warn("client port accept failed", "reason", err.Error())
			select {
			case <-c.done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		cc, refusal := c.conns.add(conn, time.Now())
		if cc == nil {
			remote := conn.RemoteAddr().String()
			_ = conn.Close()
			if refusal != "" {
				c.rt.warnings().Warn("client port connection refused", sourceIP(remote), refusal,
					"remote", remote)
			}
			continue
		}
		c.wg.Add(1) // the accept loop's own count keeps the group above zero
		go c.serve(cc)
	}
}

// serve answers one connection: ZooKeeper's NIOServerCnxn.readLength and
// checkFourLetterWord.
func (c *clientPortActor) serve(cc *clientConn) {
	defer c.wg.Done()
	defer recoverGoroutine(c.rt, "client port connection")
	defer c.conns.remove(cc)
	conn := cc.conn
	_ = conn.SetReadDeadline(time.Now().Add(c.wordWait()))
	var buf [4]byte
	if _, err := io.ReadFull(conn, buf[:]); err != nil {
		return // silent, short or gone: closed, as ZooKeeper does
	}
	word := string(buf[:])
	if !fourletter.IsKnown(word) {
		// To ZooKeeper these bytes are a session request's length.
		c.rt.log.Debug("not a four-letter word", "remote", cc.addr, "bytes", strconv.Quote(word))
		return
	}
	c.st.addBytes(len(buf)) // ZooKeeper counts a word's four bytes, not the rest
	whitelist := c.rt.cfg.FourLetterWords
	enabled := fourletter.Enabled(word, whitelist)
	if word == fourletter.Stmk && enabled {
		var mask [8]byte
		if _, err := io.ReadFull(conn, mask[:]); err != nil {
			return // ZooKeeper: "Read error", connection closed
		}
		c.st.setTraceMask(int64(binary.BigEndian.Uint64(mask[:])))
	}
	c.conns.wordRead(cc)
	snap := c.snapshot(word)
	answer := fourletter.Answer(word, snap, whitelist)
	if enabled && snap.Serving() {
		switch word {
		case fourletter.Srst:
			c.st.resetServerStats()
		case fourletter.Crst:
			c.conns.resetStats()
		}
	}
	c.rt.log.Debug("four-letter word", "remote", cc.addr, "word", word, "state", snap.State.String())
	if answer != "" {
		_ = conn.SetWriteDeadline(time.Now().Add(c.rt.cfg.writeTimeout()))
		if _, err := io.WriteString(conn, answer); err != nil {
			c.rt.log.Debug("four-letter answer not delivered", "remote", cc.addr, "reason", err.Error())
			return
		}
		c.st.answered(snap.Serving())
		c.conns.answered(cc)
	}
	drainAndClose(conn)
}

// wordWait is how long a client has to send its word: as long as a peer
// has for its initial message, but no more than maxWordWait. (ZooKeeper
// gives a connection without a session 10 s.)
func (c *clientPortActor) wordWait() time.Duration {
	return min(c.rt.cfg.handshakeTimeout(), maxWordWait)
}

// drainAndClose sends the client our end of the stream, then reads what
// it still sends until it closes too (or drainTimeout, drainLimit), so the
// final close sends no reset that could destroy the answer in flight.
// The deferred remove closes the socket.
func drainAndClose(conn net.Conn) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	_ = tc.CloseWrite()
	_ = conn.SetReadDeadline(time.Now().Add(drainTimeout))
	_, _ = io.CopyN(io.Discard, conn, drainLimit)
}

// snapshot gathers what the answer to word needs. Reading descriptors,
// directories or the connection manager happens only for the words that
// print them.
func (c *clientPortActor) snapshot(word string) fourletter.Snapshot {
	now := time.Now()
	cfg := &c.rt.cfg
	sc := c.rt.pub.get()
	s := fourletter.Snapshot{
		ServerID:   cfg.ID,
		State:      messages.ServerState_LOOKING,
		Membership: cfg.Verifier.String(),
		QuorumSize: len(cfg.Verifier.VotingMembers()),
		Now:        now,
		Clients:    c.conns.clients(now, c.wordWait()),
	}
	if sc != nil {
		s.State, s.LeaderID, s.Zxid = sc.GetNewState(), sc.GetLeader(), sc.GetZxid()
		s.ElectionEpoch, s.PeerEpoch = sc.GetElectionEpoch(), sc.GetPeerEpoch()
	}
	c.st.fill(&s, sc, now)
	if f, ok := c.rt.disk.status(c.rt.epochDir()); ok {
		s.DiskFault = "cannot persist epochs in " + f.Dir + ": " + f.Err
	}
	if (word == fourletter.Conf || word == fourletter.Mntr) && c.rt.cfg.TLS != nil {
		st := c.rt.tlsStatus()
		s.TLS = &fourletter.TLSInfo{PortUnification: st.PortUnification, DialPlaintext: st.DialPlaintext,
			Subject: st.Subject, NotAfter: st.NotAfter}
	}
	switch word {
	case fourletter.Conf, fourletter.Dirs:
		s.Config.DataDirSize = hostinfo.VersionDirSize(s.Config.DataDir)
		s.Config.DataLogSize = hostinfo.VersionDirSize(s.Config.DataLogDir)
	case fourletter.Mntr:
		s.FileDescriptors = hostinfo.Descriptors()
		if s.State == messages.ServerState_LEADING {
			s.Learners = c.learners()
		}
	}
	return s
}

// learners is what a zkfle leader counts as its learners: the members it
// has an election connection to. zkfle runs no Zab, so no learner syncs;
// a member that keeps its election connection to the leader is the
// nearest thing to one that is following it.
func (c *clientPortActor) learners() []fourletter.Learner {
	res, err := c.system.Root.RequestFuture(c.rt.dir.cnxManager.get(), &messages.StatusRequest{}, learnerQueryTimeout).Result()
	if err != nil {
		c.rt.log.Debug("no connection status for mntr", "reason", err.Error())
		return nil
	}
	status, ok := res.(*messages.CnxStatus)
	if !ok {
		return nil
	}
	seen := map[int64]bool{}
	var out []fourletter.Learner
	for _, p := range status.GetPeers() {
		srv, member := c.rt.cfg.Verifier.Server(p.GetSid())
		if !p.GetConnected() || !member || p.GetSid() == c.rt.cfg.ID || seen[p.GetSid()] {
			continue
		}
		seen[p.GetSid()] = true
		out = append(out, fourletter.Learner{ID: p.GetSid(), Observer: srv.Type == quorum.Observer})
	}
	return out
}

// clientPortState is what the client port keeps across the actor's
// restarts, shared by every incarnation and read by connection goroutines
// (hence the lock): the port bound, the counters the answers print, and
// the timings of the node's elections.
type clientPortState struct {
	version string
	host    fourletter.Host

	mu     sync.Mutex
	bound  string // address the first incarnation bound, "" before
	config fourletter.ServerConfig
	// seen is the last published state change the state has taken in.
	seen *messages.StateChanged
	// lookingSince is when the node entered LOOKING, zero while it has
	// a role; servingSince and leadingSince when it took its role.
	lookingSince, servingSince, leadingSince time.Time
	lookingCount                             int64
	electionTime, unavailableTime            fourletter.Summary
	leaderUnavailableTime                    fourletter.Summary
	// bytesReceived counts since the node started; packetsReceived and
	// packetsSent since it took its current role (srst resets them), as
	// ZooKeeper's ServerStats belong to the server of one role.
	bytesReceived, packetsReceived, packetsSent int64
	traceMask                                   int64
}

// newClientPortState starts the counts at now: a node starts LOOKING.
func newClientPortState(rt *runtime, now time.Time) *clientPortState {
	cfg := &rt.cfg
	st := &clientPortState{
		version:      fourletter.BuildVersion(),
		host:         hostinfo.Host(),
		config:       serverConfig(cfg),
		lookingSince: now,
		lookingCount: 1,
		traceMask:    fourletter.DefaultTraceMask,
	}
	if sc := rt.pub.get(); sc != nil && sc.GetNewState() != messages.ServerState_LOOKING {
		// Spawned after the decision: how long the election took is not
		// known, only that there was one.
		st.lookingSince = time.Time{}
		st.seen = sc
		st.takeRole(sc.GetNewState(), now)
	}
	return st
}

// serverConfig is what conf prints of cfg, less the client port (known
// once bound) and the directory sizes (read per answer).
func serverConfig(cfg *Config) fourletter.ServerConfig {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		dataDir = cfg.DataDir
	}
	sc := fourletter.ServerConfig{
		DataDir:           dataDir,
		DataLogDir:        dataDir, // zkfle has no separate dataLogDir
		TickTime:          cfg.TickTime,
		MaxClientCnxns:    maxClientPortConns,
		MinSessionTimeout: 2 * cfg.TickTime, // ZooKeeper's defaults
		MaxSessionTimeout: 20 * cfg.TickTime,
		InitLimit:         cfg.InitLimit,
		SyncLimit:         cfg.SyncLimit,
		ElectionAlg:       fourletter.ElectionAlgorithm,
	}
	if me, ok := cfg.Verifier.Server(cfg.ID); ok {
		sc.Observer = me.Type == quorum.Observer
		for _, a := range me.Addrs {
			sc.ElectionPorts = append(sc.ElectionPorts, a.ElectionPort)
			sc.QuorumPorts = append(sc.QuorumPorts, a.QuorumPort)
		}
	}
	return sc
}

// listenAddr is the address to bind: the one bound before, if any.
func (st *clientPortState) listenAddr(configured string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.bound != "" {
		return st.bound
	}
	return configured
}

func (st *clientPortState) setBound(addr net.Addr) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.bound = addr.String()
	if host, port, err := net.SplitHostPort(st.bound); err == nil {
		st.config.ClientPortAddress = host
		st.config.ClientPort, _ = strconv.Atoi(port) // a bound port is numeric
	}
}

// boundAddr is the address being served, "" before the first bind.
func (st *clientPortState) boundAddr() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.bound
}

// observe takes in the node's published state as of now: entering
// LOOKING starts an election's clock, taking a role stops it and starts
// the role's (its counters start afresh, as a new ZooKeeperServer's do).
func (st *clientPortState) observe(sc *messages.StateChanged, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.observeLocked(sc, now)
}

func (st *clientPortState) observeLocked(sc *messages.StateChanged, now time.Time) {
	if sc == nil || sc == st.seen {
		return
	}
	st.seen = sc
	state := sc.GetNewState()
	if state == messages.ServerState_LOOKING {
		if st.lookingSince.IsZero() {
			st.lookingCount++
			st.lookingSince = now
		}
		st.servingSince, st.leadingSince = time.Time{}, time.Time{}
		return
	}
	if !st.lookingSince.IsZero() {
		took := now.Sub(st.lookingSince).Milliseconds()
		st.unavailableTime.Add(took)
		switch state {
		case messages.ServerState_LEADING:
			st.leaderUnavailableTime.Add(took)
			st.electionTime.Add(took)
		case messages.ServerState_FOLLOWING:
			st.electionTime.Add(took)
			// Observers do not count the election: ZooKeeper records it in
			// Leader.lead and Follower.followLeader only.
		}
		st.lookingSince = time.Time{}
	}
	st.takeRole(state, now)
}

func (st *clientPortState) takeRole(state messages.ServerState, now time.Time) {
	st.servingSince = now
	st.leadingSince = time.Time{}
	if state == messages.ServerState_LEADING {
		st.leadingSince = now
	}
	st.packetsReceived, st.packetsSent = 0, 0
}

// fill completes s from the state as of now, counting the word being
// answered as received when the node is serving (ZooKeeper counts packets
// only while a server of some role exists).
func (st *clientPortState) fill(s *fourletter.Snapshot, sc *messages.StateChanged, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.observeLocked(sc, now)
	if s.Serving() {
		st.packetsReceived++
		s.Uptime = now.Sub(st.servingSince)
		if !st.leadingSince.IsZero() {
			s.LeaderUptime = now.Sub(st.leadingSince)
		}
	}
	s.Version, s.Host, s.Config = st.version, st.host, st.config
	s.PacketsReceived, s.PacketsSent, s.BytesReceived = st.packetsReceived, st.packetsSent, st.bytesReceived
	s.LookingCount, s.TraceMask = st.lookingCount, st.traceMask
	s.ElectionTime, s.UnavailableTime, s.LeaderUnavailableTime = st.electionTime, st.unavailableTime, st.leaderUnavailableTime
}

func (st *clientPortState) addBytes(n int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.bytesReceived += int64(n)
}

func (st *clientPortState) answered(serving bool) {
	if !serving {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.packetsSent++
}

func (st *clientPortState) setTraceMask(mask int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.traceMask = mask
}

// resetServerStats is srst: ServerStats.reset.
func (st *clientPortState) resetServerStats() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.packetsReceived, st.packetsSent = 0, 0
}

// clientConn is one open client-port connection.
type clientConn struct {
	conn     net.Conn
	addr     string
	ip       string // addr's host: the per-source cap's key
	accepted time.Time
	// wordDone is set once its word has been read (ZooKeeper then
	// cancels its selection key: interest 0).
	wordDone       bool
	received, sent int64
}

// clientConns holds one incarnation's open connections, in accept order,
// so that stat can list them and a stop can close them.
type clientConns struct {
	mu           sync.Mutex
	max          int
	maxPerSource int
	closed       bool
	list         []*clientConn
	// perSource counts open connections by source IP; an IP with none
	// has no entry, so the map is bounded by the list.
	perSource map[string]int
}

// Why add refuses a connection (rate-limited log reasons).
const (
	refusedTotal     = "too-many-connections"
	refusedPerSource = "too-many-connections-from-source"
)

// add registers conn. It returns nil (the caller closes conn) past a cap,
// with the reason, or once the set is closed, with no reason.
func (r *clientConns) add(conn net.Conn, now time.Time) (*clientConn, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ""
	}
	addr := conn.RemoteAddr().String()
	ip := sourceIP(addr)
	if r.maxPerSource > 0 && r.perSource[ip] >= r.maxPerSource {
		return nil, refusedPerSource
	}
	if len(r.list) >= r.max {
		return nil, refusedTotal
	}
	if r.perSource == nil {
		r.perSource = map[string]int{}
	}
	r.perSource[ip]++
	cc := &clientConn{conn: conn, addr: addr, ip: ip, accepted: now}
	r.list = append(r.list, cc)
	return cc, ""
}

// remove forgets cc and closes its socket.
func (r *clientConns) remove(cc *clientConn) {
	r.mu.Lock()
	for i, x := range r.list {
		if x == cc {
			r.list = append(r.list[:i], r.list[i+1:]...)
			if r.perSource[cc.ip]--; r.perSource[cc.ip] <= 0 {
				delete(r.perSource, cc.ip)
			}
			break
		}
	}
	r.mu.Unlock()
	_ = cc.conn.Close()
}

// closeAll closes every connection and refuses new ones. The goroutines
// serving them see their sockets fail and remove them.
func (r *clientConns) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for _, cc := range r.list {
		_ = cc.conn.Close()
	}
}

func (r *clientConns) wordRead(cc *clientConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cc.wordDone = true
	cc.received++
}

func (r *clientConns) answered(cc *clientConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cc.sent++
}

// resetStats is crst: every connection's counters back to zero.
func (r *clientConns) resetStats() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cc := range r.list {
		cc.received, cc.sent = 0, 0
	}
}

// clients lists the connections for an answer. A connection expires
// idleTimeout after it was accepted, rounded up to the next multiple of
// idleTimeout, as in ZooKeeper's ExpiryQueue.
func (r *clientConns) clients(now time.Time, idleTimeout time.Duration) []fourletter.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]fourletter.Client, 0, len(r.list))
	interval := idleTimeout.Milliseconds()
	for _, cc := range r.list {
		c := fourletter.Client{Addr: cc.addr, Interest: 1, Received: cc.received, Sent: cc.sent}
		if cc.wordDone {
			c.Interest = 0
		}
		if interval > 0 {
			at := (cc.accepted.UnixMilli()+interval)/interval*interval + interval
			c.Expires = time.UnixMilli(at).In(now.Location())
		}
		out = append(out, c)
	}
	return out
}

// ErrClientPortBind is wrapped by the error of a node whose client port
// (Config.ClientAddr, the four-letter words) could not be bound: Start
// returns it, or, when a restarted client-port actor cannot bind the port
// again, the node fails with it (Fatal). ZooKeeper does not start
// without its client port either.
var ErrClientPortBind = errors.New("cannot bind client port")

// bindClientPort binds cfg.ClientAddr for Start, before anything else
// runs, so that a taken port fails the start; "" binds nothing.
func bindClientPort(cfg Config) (net.Listener, error) {
	if cfg.ClientAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.ClientAddr)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrClientPortBind, cfg.ClientAddr, err)
	}
	return ln, nil
}

// preBound holds the client listener Start bound until the client-port
// actor takes it (once), or Stop closes it unused.
type preBound struct {
	mu sync.Mutex
	ln net.Listener
}

// take hands the listener over, once; nil afterwards or if there is none.
func (p *preBound) take() net.Listener {
	p.mu.Lock()
	defer p.mu.Unlock()
	ln := p.ln
	p.ln = nil
	return ln
}

// close closes the listener if nobody took it.
func (p *preBound) close() {
	if ln := p.take(); ln != nil {
		_ = ln.Close()
	}
}
