package clientport

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/fourletter"
	"github.com/zkfle/zkfle/internal/ratelog"
)

const (
	// maxConns caps open client-port connections in total (ZooKeeper's
	// maxClientCnxns default), so a flood from many sources costs a
	// bounded number of goroutines and descriptors.
	maxConns = fourletter.DefaultMaxClientCnxns
	// maxConnsPerSource caps them per source IP, well below the total:
	// one host holding stalled connections (each lives up to maxWordWait)
	// cannot leave srvr unanswered for everyone else, as one shared cap
	// did (issue 11). Monitoring tools open one at a time.
	maxConnsPerSource = 8
	// maxWordWait caps how long a client has to send its word. Tools send
	// it at once; a silent client holds one of the few slots.
	maxWordWait = 3 * time.Second
	// learnerQueryTimeout bounds asking the node which peers a leader is
	// connected to (mntr's learner counts).
	learnerQueryTimeout = time.Second
	// catchUpWait bounds how long an answer waits for the state watcher
	// to take in the state the node publishes now (microseconds in
	// practice), so that its counters and Mode agree.
	catchUpWait = time.Second
	// acceptBackoff is the pause after a failed accept (EMFILE and
	// friends), as ZooKeeper's pauseAccept.
	acceptBackoff = 50 * time.Millisecond
	// drainTimeout and drainLimit bound reading what a client sent after
	// its word (`echo srvr | nc` sends a newline), once the answer is
	// written: closing a socket with unread input makes the kernel send
	// a reset, which can destroy the answer before the client reads it.
	drainTimeout = time.Second
	drainLimit   = 64 << 10
)

// ErrBind is wrapped by Listen's error when the client port cannot be
// bound. ZooKeeper does not start without its client port: another
// process answering srvr there would speak for this node.
var ErrBind = errors.New("cannot bind client port")

// ErrAcceptLoop is wrapped by Err when the accept loop ended without
// Close (a panic): the port is no longer served.
var ErrAcceptLoop = errors.New("client port accept loop ended")

// Listen binds addr ("host:port"; port 0 picks a free one). Bind it before
// the node starts, so that a taken port fails the start.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrBind, addr, err)
	}
	return ln, nil
}

// Options configure a Server.
type Options struct {
	// Node is the node to answer for (required): Of(*actors.Node).
	Node Node
	// Config is the node's configuration; the answers print its ID,
	// Verifier, TickTime, InitLimit, SyncLimit, DataDir and TLS, and its
	// HandshakeTimeout and WriteTimeout bound a client's reads and writes.
	Config actors.Config
	// FourLetterWords is the set of words answered
	// (4lw.commands.whitelist); "*" allows all, nil none (each gets
	// ZooKeeper's "is not in the whitelist" answer).
	FourLetterWords []string
	// Logger receives the server's lines (slog.Default if nil).
	Logger *slog.Logger
}

// Server serves the four-letter words on one listener. Stop it with
// Close.
type Server struct {
	o       Options
	ln      net.Listener
	log     *slog.Logger
	warn    *ratelog.Limiter
	st      *counters
	conns   *conns
	sub     Changes
	closing chan struct{}
	done    chan struct{}
	wg      sync.WaitGroup

	mu  sync.Mutex
	err error

	closeOnce sync.Once
}

// Serve serves ln (from Listen) for o.Node in the background. The server
// owns ln from then on, even when Serve fails.
func Serve(ln net.Listener, o Options) (*Server, error) {
	if o.Node == nil {
		_ = ln.Close()
		return nil, errors.New("clientport: Options.Node is required")
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("sid", o.Config.ID)
	s := &Server{
		o:       o,
		ln:      ln,
		log:     log,
		warn:    ratelog.New(log, 0),
		conns:   &conns{max: maxConns, maxPerSource: maxConnsPerSource},
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	// Subscribe before reading the state: a change in between is then
	// delivered (and taken in once), never missed.
	s.sub = o.Node.Watch()
	s.st = newCounters(&o.Config, o.Node.State(), time.Now())
	s.st.setBound(ln.Addr())
	s.log.Info("serving four-letter words", "addr", ln.Addr().String())
	s.wg.Add(2)
	go s.watch()
	go s.accept()
	return s, nil
}

// Addr is the address served.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Done is closed once the server has stopped and every goroutine of it
// has ended: after Close, or after its accept loop died (Err says why).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is why the server stopped on its own (wrapping ErrAcceptLoop), nil
// while it serves or after Close.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close stops accepting, closes every connection and waits for every
// goroutine of the server. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		_ = s.ln.Close()
		s.conns.closeAll()
		s.sub.Close()
		s.wg.Wait()
		close(s.done)
	})
	return nil
}

// fail records why the server stopped on its own and shuts it down in
// the background (the caller is one of the goroutines Close waits for).
func (s *Server) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.log.Error("client port stopped serving", "reason", err.Error())
	go func() { _ = s.Close() }()
}

// watch takes in every state change, timing the elections.
func (s *Server) watch() {
	defer s.wg.Done()
	defer s.recoverConn("client port state watcher")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		sc, err := s.sub.Next(ctx)
		if err != nil {
			return // closed, or the node stopped
		}
		s.st.observe(sc, time.Now())
	}
}

// accept is the accept loop. A panic in it is a bug: the server stops and
// reports it (Done, Err) rather than serve on in an unknown state.
func (s *Server) accept() {
	defer s.wg.Done()
	defer func() {
		if r := recover(); r != nil {
			s.fail(fmt.Errorf("%w: panic: %v", ErrAcceptLoop, r))
		}
	}()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.closing:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				// Closed by someone else: nothing to serve any more.
				s.fail(fmt.Errorf("%w: %w", ErrAcceptLoop, err))
				return
			}
			// EMFILE and friends: back off briefly, keep serving.
			s.log.Warn("client port accept failed", "reason", err.Error())
			select {
			case <-s.closing:
				return
			case <-time.After(acceptBackoff):
			}
			continue
		}
		s.admit(conn)
	}
}

// admit registers conn and serves it, or refuses it past a cap.
func (s *Server) admit(conn net.Conn) {
	cc, refusal := s.conns.add(conn, time.Now())
	if cc == nil {
		remote := conn.RemoteAddr().String()
		_ = conn.Close()
		if refusal != "" {
			s.warn.Warn("client port connection refused", sourceIP(remote), refusal, "remote", remote)
		}
		return
	}
	s.wg.Add(1) // the accept loop's own count keeps the group above zero
	go s.serve(cc)
}

// recoverConn logs a panic of a connection's goroutine: that connection
// is lost, the server serves on.
func (s *Server) recoverConn(what string) {
	if r := recover(); r != nil {
		s.log.Error("goroutine panicked", "goroutine", what, "reason", fmt.Sprint(r))
	}
}

// serve answers one connection: ZooKeeper's NIOServerCnxn.readLength and
// checkFourLetterWord.
func (s *Server) serve(cc *clientConn) {
	defer s.wg.Done()
	defer s.recoverConn("client port connection")
	defer s.conns.remove(cc)
	c := cc.conn
	_ = c.SetReadDeadline(time.Now().Add(s.wordWait()))
	var buf [4]byte
	if _, err := io.ReadFull(c, buf[:]); err != nil {
		return // silent, short or gone: closed, as ZooKeeper does
	}
	word := string(buf[:])
	if !fourletter.IsKnown(word) {
		// To ZooKeeper these bytes are a session request's length.
		s.log.Debug("not a four-letter word", "remote", cc.addr, "bytes", strconv.Quote(word))
		return
	}
	s.st.addBytes(len(buf)) // ZooKeeper counts a word's four bytes, not the rest
	whitelist := s.o.FourLetterWords
	enabled := fourletter.Enabled(word, whitelist)
	if word == fourletter.Stmk && enabled {
		var mask [8]byte
		if _, err := io.ReadFull(c, mask[:]); err != nil {
			return // ZooKeeper: "Read error", connection closed
		}
		s.st.setTraceMask(int64(binary.BigEndian.Uint64(mask[:])))
	}
	s.conns.wordRead(cc)
	snap := s.snapshot(word)
	answer := fourletter.Answer(word, snap, whitelist)
	if enabled && snap.Serving() {
		switch word {
		case fourletter.Srst:
			s.st.resetServerStats()
		case fourletter.Crst:
			s.conns.resetStats()
		}
	}
	s.log.Debug("four-letter word", "remote", cc.addr, "word", word, "state", snap.State.String())
	if answer != "" {
		_ = c.SetWriteDeadline(time.Now().Add(s.writeTimeout()))
		if _, err := io.WriteString(c, answer); err != nil {
			s.log.Debug("four-letter answer not delivered", "remote", cc.addr, "reason", err.Error())
			return
		}
		s.st.answered(snap.Serving())
		s.conns.answered(cc)
	}
	drainAndClose(c)
}

// handshakeTimeout is the node's initial-message read timeout
// (actors.Config.HandshakeTimeout, else TickTime × SyncLimit).
func (s *Server) handshakeTimeout() time.Duration {
	if s.o.Config.HandshakeTimeout > 0 {
		return s.o.Config.HandshakeTimeout
	}
	return s.o.Config.TickTime * time.Duration(s.o.Config.SyncLimit)
}

// writeTimeout bounds writing an answer, as the node's writes to peers.
func (s *Server) writeTimeout() time.Duration {
	if s.o.Config.WriteTimeout > 0 {
		return s.o.Config.WriteTimeout
	}
	return s.handshakeTimeout()
}

// wordWait is how long a client has to send its word: as long as a peer
// has for its initial message, but no more than maxWordWait. (ZooKeeper
// gives a connection without a session 10 s.)
func (s *Server) wordWait() time.Duration {
	return min(s.handshakeTimeout(), maxWordWait)
}

// drainAndClose sends the client our end of the stream, then reads what
// it still sends until it closes too (or drainTimeout, drainLimit), so the
// final close sends no reset that could destroy the answer in flight.
// The deferred remove closes the socket.
func drainAndClose(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	_ = tc.CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(drainTimeout))
	_, _ = io.CopyN(io.Discard, c, drainLimit)
}

// sourceIP is addr's host (the per-source cap's and the log's key).
func sourceIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
