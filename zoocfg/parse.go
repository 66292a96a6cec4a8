package zoocfg

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/quorum"
)

// ZooKeeper 3.8's defaults for what zoo.cfg may leave out.
const (
	defaultTickTime       = 3000 * time.Millisecond // ZooKeeperServer.DEFAULT_TICK_TIME
	defaultConnectTimeout = 5000 * time.Millisecond // QuorumCnxManager.cnxTO
	defaultBindRetry      = 3                       // QuorumCnxManager.Listener
	minSnapRetainCount    = 3                       // QuorumPeerConfig.MIN_SNAP_RETAIN_COUNT
)

// parser turns a File's properties into Settings, in the order
// QuorumPeerConfig.parse works: every key, then the checks across keys,
// then the ensemble.
type parser struct {
	f *File
	s *Settings

	strs  map[string]string // trimmed value of each QuorumPeerConfig key
	ints  map[string]int64
	bools map[string]bool

	bare     map[string]string // honoured system-property keys, as written
	prefixed map[string]string // the same, written with "zookeeper."

	ensemble     []quorum.Property // server/group/weight/version lines, raw
	ensembleFile string            // the file they are in
	hasDynamic   bool

	warnedMultiAddress bool
}

func newParser(f *File) *parser {
	return &parser{
		f:        f,
		s:        &f.settings,
		strs:     make(map[string]string),
		ints:     make(map[string]int64),
		bools:    make(map[string]bool),
		bare:     make(map[string]string),
		prefixed: make(map[string]string),

		ensembleFile: f.name,
	}
}

// errorf builds an *Error about a key of the zoo.cfg itself.
func (p *parser) errorf(sentinel error, key, value, format string, args ...any) error {
	return &Error{File: p.f.name, Key: key, Value: value, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

func (p *parser) warnf(format string, args ...any) {
	p.f.warnings = append(p.f.warnings, fmt.Sprintf(format, args...))
}

func (p *parser) run() error {
	p.s.TickTime = defaultTickTime
	p.s.PeerType = quorum.Participant
	p.s.StandaloneEnabled = true
	for _, prop := range p.f.props {
		if javaTrim(prop.Key) == "dynamicConfigFile" {
			p.hasDynamic = true
		}
	}
	for _, prop := range p.f.props {
		if err := p.key(prop); err != nil {
			return err
		}
	}
	steps := []func() error{
		p.security, p.paths, p.clientAddr, p.timing, p.systemProperties, p.flags, p.ensembleSetup, p.limits,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// key sorts one key=value into its place, checking its type.
func (p *parser) key(prop quorum.Property) error {
	key, value := javaTrim(prop.Key), javaTrim(prop.Value)
	if hasInlineComment(value) {
		p.warnf("%s=%q: a Properties file has no end-of-line comments: the \"#...\" is part of the value", key, value)
	}
	switch {
	case isPeerConfigKey(key):
		if err := p.peerConfigKey(key, value); err != nil {
			return err
		}
		if !honouredPeerConfigKeys[key] {
			p.f.ignored = append(p.f.ignored, key)
		}
	case isEnsembleKey(key):
		if p.hasDynamic && key != "version" {
			return p.errorf(ErrConflict, key, value, "must be in the dynamic config file, since dynamicConfigFile is set")
		}
		if !p.hasDynamic {
			p.ensemble = append(p.ensemble, prop)
		}
	case systemPropertyKeys[key]:
		p.bare[key] = value
	case strings.HasPrefix(key, systemPropertyPrefix) && honouredWithPrefix(key[len(systemPropertyPrefix):]):
		p.prefixed[key[len(systemPropertyPrefix):]] = value
	case documentedKeys[key]:
		p.f.ignored = append(p.f.ignored, key)
	default:
		p.f.unknown = append(p.f.unknown, key)
	}
	return nil
}

// honouredWithPrefix reports whether zkfle takes name written as
// "zookeeper."+name: the system properties ZooKeeper reads by that name.
func honouredWithPrefix(name string) bool {
	return systemPropertyKeys[name] || name == keyMultiAddress
}

// hasInlineComment reports a '#' after blanks inside a value: someone
// meant an end-of-line comment, which Properties does not have.
func hasInlineComment(value string) bool {
	return strings.Contains(value, " #") || strings.Contains(value, "\t#")
}

// peerConfigKey checks and stores a key QuorumPeerConfig parses itself.
func (p *parser) peerConfigKey(key, value string) error {
	p.strs[key] = value
	switch kindOf(key) {
	case kindInt:
		v, ok := parseJavaInt(value)
		if !ok {
			return p.errorf(ErrBadValue, key, value, "not an integer%s", commentHint(value))
		}
		p.ints[key] = int64(v)
	case kindLong:
		v, ok := parseJavaLong(value)
		if !ok {
			return p.errorf(ErrBadValue, key, value, "not a long integer%s", commentHint(value))
		}
		p.ints[key] = v
	case kindBool:
		v, ok := parseJavaBoolean(value)
		if !ok {
			return p.errorf(ErrBadValue, key, value, "not true or false%s", commentHint(value))
		}
		p.bools[key] = v
	case kindString:
	}
	switch key {
	case "electionAlg":
		if p.ints[key] != 3 {
			return p.errorf(ErrBadValue, key, value, "only 3 (FastLeaderElection) is supported")
		}
	case "peerType":
		switch strings.ToLower(value) {
		case "observer":
			p.s.PeerType = quorum.Observer
		case "participant":
			p.s.PeerType = quorum.Participant
		default:
			return p.errorf(ErrBadValue, key, value, "not observer or participant")
		}
	}
	return nil
}

// commentHint explains a parse failure caused by an end-of-line comment.
func commentHint(value string) string {
	if hasInlineComment(value) {
		return ` ("#" does not start a comment after a value)`
	}
	return ""
}

// security refuses what zkfle cannot do and must not ignore: peers that
// expect TLS or SASL on the quorum ports, or an oracle deciding quorums.
// SASL settings ZooKeeper itself refuses come first, with its reasons.
func (p *parser) security() error {
	const enable, server, learner = "quorum.auth.enableSasl", "quorum.auth.serverRequireSasl", "quorum.auth.learnerRequireSasl"
	for _, k := range []string{server, learner} {
		if !p.bools[enable] && p.bools[k] {
			return p.errorf(ErrConflict, k, p.strs[k], "%s is disabled, so cannot enable %s", enable, k)
		}
	}
	for _, k := range []string{enable, "sslQuorum"} {
		if p.bools[k] {
			return p.errorf(ErrUnsupported, k, p.strs[k], "zkfle speaks plain TCP on the election port: no TLS, no SASL")
		}
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
		v := p.ints[k]
		if !p.s.Distributed {
			continue
		}
		switch {
		case v == 0:
			return p.errorf(ErrMissing, k, p.strs[k], "%s is not set", k)
		case v < 0:
			return p.errorf(ErrBadValue, k, p.strs[k], "must be positive")
		}
	}
	p.s.InitLimit, p.s.SyncLimit = int(p.ints["initLimit"]), int(p.ints["syncLimit"])
	return nil
}

// systemProperty returns the value of a system-property key: as written
// in zoo.cfg (which ZooKeeper honours), else written with "zookeeper."
// (which zkfle honours too).
func (p *parser) systemProperty(name string) (key, value string, ok bool) {
	bare, hasBare := p.bare[name]
	prefixed, hasPrefixed := p.prefixed[name]
	switch {
	case hasBare && hasPrefixed:
		p.warnf("%s%s is overridden by %s, as in ZooKeeper", systemPropertyPrefix, name, name)
		return name, bare, true
	case hasBare:
		return name, bare, true
	case hasPrefixed:
		p.warnPrefixed(name)
		return systemPropertyPrefix + name, prefixed, true
	}
	return "", "", false
}

// warnPrefixed notes a system-property key written with its prefix,
// which zkfle applies and ZooKeeper would not.
func (p *parser) warnPrefixed(name string) {
	p.warnf("%s%s: ZooKeeper ignores it in zoo.cfg (it reads %s there, or -D%s%s); zkfle applies it",
		systemPropertyPrefix, name, name, systemPropertyPrefix, name)
}

// systemProperties applies the system properties ZooKeeper's election
// code reads. ZooKeeper reads most with Integer.getInteger or
// Boolean.getBoolean, which silently fall back to the default on a value
// they cannot parse; zkfle refuses such values instead.
func (p *parser) systemProperties() error {
	p.s.ConnectTimeout = defaultConnectTimeout
	if key, v, ok := p.systemProperty(keyCnxTimeout); ok {
		ms, good := parseJavaInt(v)
		if !good {
			return p.errorf(ErrBadValue, key, v, "not an integer%s", commentHint(v))
		}
		if ms <= 0 {
			return p.errorf(ErrBadValue, key, v, "must be positive (ZooKeeper's 0 means no connect timeout, which zkfle does not offer)")
		}
		p.s.ConnectTimeout = time.Duration(ms) * time.Millisecond
	}
	if key, v, ok := p.systemProperty(keyQuorumCnxnTimeout); ok {
		ms, good := decodeJavaInt(v)
		if !good {
			return p.errorf(ErrBadValue, key, v, "not an integer (ZooKeeper would silently use its default)")
		}
		if ms > 0 {
			p.s.HandshakeTimeout = time.Duration(ms) * time.Millisecond
		}
	}
	p.s.ElectionPortBindRetry = defaultBindRetry
	if key, v, ok := p.systemProperty(keyBindRetry); ok {
		n, good := decodeJavaInt(v)
		if !good {
			return p.errorf(ErrBadValue, key, v, "not an integer (ZooKeeper would silently use its default)")
		}
		if n < 0 {
			p.warnf("'%s%s' contains invalid value: %d(must be >= 0). Use default value of %d instead.",
				systemPropertyPrefix, keyBindRetry, n, defaultBindRetry)
		} else {
			p.s.ElectionPortBindRetry = int(n)
		}
	}
	if key, v, ok := p.systemProperty(keyTCPKeepAlive); ok {
		b, good := parseJavaBoolean(v)
		if !good {
			return p.errorf(ErrBadValue, key, v, "not true or false (ZooKeeper would silently take it as false)")
		}
		p.s.TCPKeepAlive = b
	}
	if err := p.notificationIntervals(); err != nil {
		return err
	}
	p.s.FourLetterWords = []string{"srvr"}
	if key, v, ok := p.systemProperty(keyFourLetterWords); ok {
		p.s.FourLetterWords = p.fourLetterWords(key, v)
	}
	return nil
}

// flags sets the boolean settings. multiAddress.enabled may also be
// written zookeeper.multiAddress.enabled, the system property ZooKeeper
// parses server lines with.
func (p *parser) flags() error {
	p.s.ListenOnAllIPs = p.bools["quorumListenOnAllIPs"]
	p.s.ReconfigEnabled = p.bools["reconfigEnabled"]
	if p.s.ReconfigEnabled {
		p.warnf("reconfigEnabled=true: zkfle takes part in elections with the configuration it was started with and never applies a reconfiguration")
	}
	if v, ok := p.bools["standaloneEnabled"]; ok {
		p.s.StandaloneEnabled = v
	}
	p.s.MultiAddressEnabled = p.bools[keyMultiAddress]
	if v, ok := p.prefixed[keyMultiAddress]; ok {
		if _, bare := p.strs[keyMultiAddress]; bare {
			p.warnf("%s%s is overridden by %s", systemPropertyPrefix, keyMultiAddress, keyMultiAddress)
		} else {
			p.warnPrefixed(keyMultiAddress)
			b, good := parseJavaBoolean(v)
			if !good {
				return p.errorf(ErrBadValue, systemPropertyPrefix+keyMultiAddress, v, "not true or false")
			}
			p.s.MultiAddressEnabled = b
		}
	}
	return nil
}

// notificationIntervals sets FastLeaderElection's notification timeout
// bounds. ZooKeeper takes any int; zkfle needs 0 < min <= max.
func (p *parser) notificationIntervals() error {
	def := fle.DefaultTiming()
	p.s.MinNotificationInterval, p.s.MaxNotificationInterval = def.MinNotificationInterval, def.MaxNotificationInterval
	minKey, minValue, hasMin := p.systemProperty(keyMinNotification)
	if hasMin {
		ms, good := decodeJavaInt(minValue)
		switch {
		case !good:
			return p.errorf(ErrBadValue, minKey, minValue, "not an integer (ZooKeeper would silently use its default)")
		case ms <= 0:
			return p.errorf(ErrBadValue, minKey, minValue, "must be positive")
		}
		p.s.MinNotificationInterval = time.Duration(ms) * time.Millisecond
	}
	maxKey, maxValue, hasMax := p.systemProperty(keyMaxNotification)
	if hasMax {
		ms, good := decodeJavaInt(maxValue)
		if !good {
			return p.errorf(ErrBadValue, maxKey, maxValue, "not an integer (ZooKeeper would silently use its default)")
		}
		p.s.MaxNotificationInterval = time.Duration(ms) * time.Millisecond
	}
	if p.s.MaxNotificationInterval >= p.s.MinNotificationInterval {
		return nil
	}
	if hasMax {
		return p.errorf(ErrBadValue, maxKey, maxValue, "must not be below %s (%d ms)",
			keyMinNotification, p.s.MinNotificationInterval.Milliseconds())
	}
	return p.errorf(ErrBadValue, minKey, minValue, "must not exceed %s (default %d ms)",
		keyMaxNotification, p.s.MaxNotificationInterval.Milliseconds())
}

// fourLetterWords is FourLetterCommands' reading of the whitelist:
// comma-separated, each word trimmed, empty ones skipped, "*" meaning
// every command; srvr is always allowed.
func (p *parser) fourLetterWords(key, value string) []string {
	var words []string
	for _, w := range strings.Split(value, ",") {
		w = javaTrim(w)
		switch {
		case w == "*":
			return []string{"*"}
		case w == "" || slices.Contains(words, w):
			continue
		case !slices.Contains(knownFourLetterWords, w):
			p.warnf("%s: %q is not a four-letter word ZooKeeper knows", key, w)
		}
		words = append(words, w)
	}
	if !slices.Contains(words, "srvr") {
		words = append(words, "srvr")
	}
	return words
}
