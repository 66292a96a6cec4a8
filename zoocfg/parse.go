package zoocfg

import (
	"fmt"
	"strings"
	"time"

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
		if quorum.JavaTrim(prop.Key) == "dynamicConfigFile" {
			p.hasDynamic = true
		}
	}
	for _, prop := range p.f.props {
		if err := p.key(prop); err != nil {
			return err
		}
	}
	steps := []func() error{
		p.security, p.paths, p.clientAddr, p.timing, p.systemProperties, p.flags, p.quorumTLS, p.ensembleSetup, p.limits,
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
	key, value := quorum.JavaTrim(prop.Key), quorum.JavaTrim(prop.Value)
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
		if p.hasDynamic {
			// The dynamic file has the version; ZooKeeper would only
			// set an unused system property.
			p.f.ignored = append(p.f.ignored, key)
		} else {
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
