package clientport

import (
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/fourletter"
	"github.com/zkfle/zkfle/fourletter/hostinfo"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// counters is what the answers count, shared by the connection
// goroutines and the state watcher (hence the lock): the port bound, the
// counters the answers print, and the timings of the node's elections.
type counters struct {
	version string
	host    fourletter.Host

	mu     sync.Mutex
	bound  string // address the first incarnation bound, "" before
	config fourletter.ServerConfig
	// seen is the last published state change the state has taken in;
	// changed is closed (and replaced) whenever it changes.
	seen    *messages.StateChanged
	changed chan struct{}
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

// newCounters starts the counts at now, the node's state being cur: a
// node starts LOOKING.
func newCounters(cfg *actors.Config, cur *messages.StateChanged, now time.Time) *counters {
	st := &counters{
		version:      fourletter.BuildVersion(),
		host:         hostinfo.Host(),
		config:       serverConfig(cfg),
		lookingSince: now,
		lookingCount: 1,
		traceMask:    fourletter.DefaultTraceMask,
		changed:      make(chan struct{}),
	}
	if cur != nil && cur.GetNewState() != messages.ServerState_LOOKING {
		// Started after the decision: how long the election took is not
		// known, only that there was one.
		st.lookingSince = time.Time{}
		st.seen = cur
		st.takeRole(cur.GetNewState(), now)
	}
	return st
}

// serverConfig is what conf prints of cfg, less the client port (known
// once bound) and the directory sizes (read per answer).
func serverConfig(cfg *actors.Config) fourletter.ServerConfig {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		dataDir = cfg.DataDir
	}
	sc := fourletter.ServerConfig{
		DataDir:           dataDir,
		DataLogDir:        dataDir, // zkfle has no separate dataLogDir
		TickTime:          cfg.TickTime,
		MaxClientCnxns:    maxConns,
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

func (st *counters) setBound(addr net.Addr) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.bound = addr.String()
	if host, port, err := net.SplitHostPort(st.bound); err == nil {
		st.config.ClientPortAddress = host
		st.config.ClientPort, _ = strconv.Atoi(port) // a bound port is numeric
	}
}

// boundAddr is the address being served, "" before the first bind.
func (st *counters) boundAddr() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.bound
}

// observe takes in the node's published state as of now: entering
// LOOKING starts an election's clock, taking a role stops it and starts
// the role's (its counters start afresh, as a new ZooKeeperServer's do).
func (st *counters) observe(sc *messages.StateChanged, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.observeLocked(sc, now)
}

func (st *counters) observeLocked(sc *messages.StateChanged, now time.Time) {
	if sc == nil || sc == st.seen {
		return
	}
	st.seen = sc
	close(st.changed) // wakes answers waiting for this state
	st.changed = make(chan struct{})
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

func (st *counters) takeRole(state messages.ServerState, now time.Time) {
	st.servingSince = now
	st.leadingSince = time.Time{}
	if state == messages.ServerState_LEADING {
		st.leadingSince = now
	}
	st.packetsReceived, st.packetsSent = 0, 0
}

// waitFor waits until the watcher has taken in cur (the node's state
// now), or until timeout: the watcher lags the published state by a
// goroutine switch, and an answer must not print a role's Mode with the
// previous role's counters.
func (st *counters) waitFor(cur *messages.StateChanged, timeout time.Duration) {
	if cur == nil {
		return
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		st.mu.Lock()
		seen, changed := st.seen, st.changed
		st.mu.Unlock()
		if seen == cur {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			return
		}
	}
}

// fill completes s from the state as of now, counting the word being
// answered as received when the node is serving (ZooKeeper counts packets
// only while a server of some role exists).
func (st *counters) fill(s *fourletter.Snapshot, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
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

func (st *counters) addBytes(n int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.bytesReceived += int64(n)
}

func (st *counters) answered(serving bool) {
	if !serving {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.packetsSent++
}

func (st *counters) setTraceMask(mask int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.traceMask = mask
}

// resetServerStats is srst: ServerStats.reset.
func (st *counters) resetServerStats() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.packetsReceived, st.packetsSent = 0, 0
}
