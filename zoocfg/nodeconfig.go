package zoocfg

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// NodeConfig is the configuration of one server of a zoo.cfg's ensemble:
// the file's Settings plus what depends on which server reads it. It is
// this package's own type, so that a config parser does not pull in the
// node's runtime; cmd/node maps it onto actors.Config (a field each, as
// the package documentation's table says).
type NodeConfig struct {
	// ID is the server's sid (its myid).
	ID int64
	// ClientAddr is this server's four-letter-word address, "host:port",
	// or "" for none: its server line's ";client" part when it has one
	// (which must agree with clientPort and clientPortAddress), else the
	// file's Settings.ClientAddr. It shadows Settings.ClientAddr.
	ClientAddr string
	// Settings are the file's typed values (Verifier, LastSeen, TickTime,
	// InitLimit, SyncLimit, timeouts, DataDir, QuorumTLS, ...).
	Settings
}

// NodeConfig returns the configuration of node myid. It applies the
// checks ZooKeeper makes once it knows its id: the node must have a server
// line, and a client address on that line must agree with clientPort and
// clientPortAddress (the line's address is the one used). It refuses a
// configuration ZooKeeper would run standalone (ErrStandalone), and, unlike
// ZooKeeper, server lines that share a socket address (ErrConflict, naming
// both lines): such an ensemble cannot run, and ZooKeeper only warns about
// it forever.
func (f *File) NodeConfig(myid int64) (NodeConfig, error) {
	s := f.Settings()
	if !s.Distributed {
		return NodeConfig{}, f.standaloneError()
	}
	self, ok := s.Verifier.Server(myid)
	if !ok {
		return NodeConfig{}, &Error{File: f.settings.ensembleSource(f.name), Key: "myid", Value: strconv.FormatInt(myid, 10),
			Reason: fmt.Sprintf("no server.%d line in the ensemble", myid), Err: ErrNotMember}
	}
	if err := f.checkPortOverlaps(); err != nil {
		return NodeConfig{}, err
	}
	clientAddr, err := f.clientAddrFor(myid, self.ClientAddr)
	if err != nil {
		return NodeConfig{}, err
	}
	return NodeConfig{ID: myid, ClientAddr: clientAddr, Settings: s}, nil
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
