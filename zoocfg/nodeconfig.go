package zoocfg

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/fle"
)

// NodeConfig builds the configuration of node myid from actors.DefaultConfig
// and the file's settings, and validates it. It also applies the checks
// ZooKeeper makes once it knows its id: the node must have a server line,
// and a client address on that line must agree with clientPort and
// clientPortAddress (the line's address is the one used). It refuses a
// configuration ZooKeeper would run standalone (ErrStandalone).
func (f *File) NodeConfig(myid int64) (actors.Config, error) {
	s := f.settings
	if !s.Distributed {
		return actors.Config{}, f.standaloneError()
	}
	self, ok := s.Verifier.Server(myid)
	if !ok {
		return actors.Config{}, &Error{File: f.settings.ensembleSource(f.name), Key: "myid", Value: strconv.FormatInt(myid, 10),
			Reason: fmt.Sprintf("no server.%d line in the ensemble", myid), Err: ErrNotMember}
	}
	clientAddr, err := f.clientAddrFor(myid, self.ClientAddr)
	if err != nil {
		return actors.Config{}, err
	}
	cfg := actors.DefaultConfig()
	cfg.ID = myid
	cfg.Verifier = s.Verifier
	cfg.LastSeen = s.LastSeen
	cfg.TickTime = s.TickTime
	cfg.InitLimit = s.InitLimit
	cfg.SyncLimit = s.SyncLimit
	cfg.Election = fle.Timing{
		FinalizeWait:            cfg.Election.FinalizeWait,
		MinNotificationInterval: s.MinNotificationInterval,
		MaxNotificationInterval: s.MaxNotificationInterval,
	}
	cfg.ConnectTimeout = s.ConnectTimeout
	cfg.HandshakeTimeout = s.HandshakeTimeout
	cfg.ElectionPortBindRetry = s.ElectionPortBindRetry
	cfg.ListenOnAllIPs = s.ListenOnAllIPs
	cfg.TCPKeepAlive = s.TCPKeepAlive
	cfg.MultiAddress = s.MultiAddressEnabled
	cfg.ClientAddr = clientAddr
	cfg.FourLetterWords = slices.Clone(s.FourLetterWords)
	cfg.DataDir = s.DataDir
	cfg.SkipPeerAddressCheck = !s.PeerAddressCheck
	cfg.DisableElectionFastPaths = !s.ElectionFastPaths
	if err := cfg.Validate(); err != nil {
		// Unreachable after the checks above; kept so that a new rule in
		// Validate surfaces as this package's error type.
		return actors.Config{}, &Error{File: f.name, Reason: err.Error(), Err: fmt.Errorf("%w: %w", ErrBadValue, err)}
	}
	return cfg, nil
}

// standaloneError explains why there is no election to join.
func (f *File) standaloneError() error {
	v, _ := f.Get("standaloneEnabled")
	if len(f.settings.Verifier.VotingMembers()) == 0 {
		return &Error{File: f.name, Key: "standaloneEnabled", Value: v,
			Reason: "no participant server lines: ZooKeeper runs standalone, without leader election", Err: ErrStandalone}
	}
	return &Error{File: f.name, Key: "standaloneEnabled", Value: v,
		Reason: "a single participant with standaloneEnabled=true: ZooKeeper runs standalone, without leader election; " +
			"set standaloneEnabled=false for a one-server ensemble", Err: ErrStandalone}
}

// ensembleSource names the file the server lines came from.
func (s Settings) ensembleSource(zooCfg string) string {
	if s.DynamicConfigFile != "" {
		return s.DynamicConfigFile
	}
	return zooCfg
}

// clientAddrFor is QuorumPeerConfig.setupClientPort: the server line's
// client address wins, but must agree with a static one: same port when
// the static address is a wildcard, same address otherwise. Without DNS,
// two host names, or a name and an IP, are taken to agree.
func (f *File) clientAddrFor(myid int64, lineAddr string) (string, error) {
	static := f.settings.ClientAddr
	if lineAddr == "" || static == "" {
		if lineAddr != "" {
			return lineAddr, nil
		}
		return static, nil
	}
	sHost, sPort, _ := net.SplitHostPort(static)
	lHost, lPort, _ := net.SplitHostPort(lineAddr)
	sIP, sErr := netip.ParseAddr(sHost)
	lIP, lErr := netip.ParseAddr(lHost)
	wildcard := sErr == nil && sIP.IsUnspecified()
	differs := sPort != lPort ||
		(!wildcard && sErr == nil && lErr == nil && sIP.Unmap() != lIP.Unmap())
	if !differs {
		return lineAddr, nil
	}
	key := "clientPortAddress"
	if sPort != lPort {
		key = "clientPort"
	}
	value, _ := f.Get(key)
	return "", &Error{File: f.name, Key: key, Value: value,
		Reason: fmt.Sprintf("client address for this server (id = %d) is %s here but %s on its server line", myid, static, lineAddr),
		Err:    ErrConflict}
}

// joinHostPort formats a host and port as Go's net package reads them.
func joinHostPort(host string, port int64) string {
	return net.JoinHostPort(host, strconv.FormatInt(port, 10))
}
