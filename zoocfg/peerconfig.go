package zoocfg

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// The checks QuorumPeerConfig.parseProperties makes across keys once it
// has read them all, and the settings they give.

// security refuses what zkfle cannot do and must not ignore: peers that
// expect SASL on the quorum ports, or an oracle deciding quorums (TLS,
// sslQuorum, is quorumTLS's).
// SASL settings ZooKeeper itself refuses come first, with its reasons.
func (p *parser) security() error {
	const enable, server, learner = "quorum.auth.enableSasl", "quorum.auth.serverRequireSasl", "quorum.auth.learnerRequireSasl"
	for _, k := range []string{server, learner} {
		if !p.bools[enable] && p.bools[k] {
			return p.errorf(ErrConflict, k, p.strs[k], "%s is disabled, so cannot enable %s", enable, k)
		}
	}
	if p.bools[enable] {
		return p.errorf(ErrUnsupported, enable, p.strs[enable], "zkfle has no SASL on the election and quorum ports (use sslQuorum=true: TLS)")
	}
	if v, ok := p.strs["oraclePath"]; ok {
		return p.errorf(ErrUnsupported, "oraclePath", v, "zkfle has no QuorumOracleMaj: a two-server ensemble would elect differently")
	}
	if n, ok := p.ints["autopurge.snapRetainCount"]; ok && n < minSnapRetainCount {
		p.warnf("Invalid autopurge.snapRetainCount: %d. Defaulting to %d", n, minSnapRetainCount)
	}
	return nil
}

// paths sets DataDir and DataLogDir.
func (p *parser) paths() error {
	dir, ok := p.strs["dataDir"]
	if !ok || dir == "" {
		return p.errorf(ErrMissing, "dataDir", dir, "dataDir is not set")
	}
	p.s.DataDir = p.path(dir)
	p.s.DataLogDir = p.s.DataDir
	if logDir, ok := p.strs["dataLogDir"]; ok && logDir != "" {
		p.s.DataLogDir = p.path(logDir)
	}
	return nil
}

// path is a dataDir-like value as java.io.File keeps it, joined to the
// base directory when relative and Parse was given one. ZooKeeper warns
// about relative paths not written "./...".
func (p *parser) path(value string) string {
	clean := javaFilePath(value)
	if w := relativePathWarning(clean); w != "" {
		p.warnf("%s", w)
	}
	return p.resolve(clean)
}

// resolve joins a relative path to the base directory, if any.
func (p *parser) resolve(path string) string {
	if p.f.baseDir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(p.f.baseDir, path)
}

// clientAddr checks clientPort/clientPortAddress (and their secure twins,
// which zkfle ignores but ZooKeeper checks) and sets ClientAddr.
func (p *parser) clientAddr() error {
	addr, err := p.portAndAddress("clientPort", "clientPortAddress")
	if err != nil {
		return err
	}
	p.s.ClientAddr = addr
	_, err = p.portAndAddress("secureClientPort", "secureClientPortAddress")
	return err
}

// portAndAddress is QuorumPeerConfig's handling of a port key and its
// address key: no port (or 0) means none, and then no address either;
// a port without an address means every interface.
func (p *parser) portAndAddress(portKey, addrKey string) (string, error) {
	port := p.ints[portKey]
	host, hasHost := p.strs[addrKey]
	if port == 0 {
		if hasHost {
			return "", p.errorf(ErrMissing, addrKey, host, "%s is set but %s is not set", addrKey, portKey)
		}
		return "", nil
	}
	if port < 0 || port > 65535 {
		return "", p.errorf(ErrBadValue, portKey, p.strs[portKey], "port out of range 0..65535")
	}
	if !hasHost {
		return joinHostPort("0.0.0.0", port), nil
	}
	if host == "" {
		// InetAddress.getByName("") is the loopback address.
		host = "localhost"
	}
	return joinHostPort(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), port), nil
}

// timing sets TickTime and checks the session timeouts ZooKeeper derives
// from it.
func (p *parser) timing() error {
	if v, ok := p.ints["tickTime"]; ok {
		switch {
		case v == 0:
			return p.errorf(ErrMissing, "tickTime", p.strs["tickTime"], "tickTime is not set")
		case v < 0:
			return p.errorf(ErrBadValue, "tickTime", p.strs["tickTime"], "must be positive")
		}
		p.s.TickTime = time.Duration(v) * time.Millisecond
	}
	// ZooKeeper computes the defaults in int arithmetic, overflow
	// included, and refuses min > max.
	tick := int32(p.s.TickTime / time.Millisecond)
	minTimeout, maxTimeout := tick*2, tick*20
	if v, ok := p.ints["minSessionTimeout"]; ok && v != -1 {
		minTimeout = int32(v)
	}
	if v, ok := p.ints["maxSessionTimeout"]; ok && v != -1 {
		maxTimeout = int32(v)
	}
	if minTimeout > maxTimeout {
		return p.errorf(ErrConflict, "minSessionTimeout", fmt.Sprint(minTimeout),
			"minSessionTimeout must not be larger than maxSessionTimeout (%d)", maxTimeout)
	}
	return nil
}

// limits checks initLimit and syncLimit, which an ensemble needs.
func (p *parser) limits() error {
	for _, k := range []string{"initLimit", "syncLimit"} {
		switch v := p.ints[k]; {
		case !p.s.Distributed:
			// A standalone server has no learners to limit.
		case v == 0:
			return p.errorf(ErrMissing, k, p.strs[k], "%s is not set", k)
		case v < 0:
			return p.errorf(ErrBadValue, k, p.strs[k], "must be positive")
		}
	}
	p.s.InitLimit, p.s.SyncLimit = int(p.ints["initLimit"]), int(p.ints["syncLimit"])
	return nil
}
