package zoocfg

import (
	"slices"
	"strings"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/quorum"
)

// The system properties ZooKeeper's election code reads, set from
// zoo.cfg keys (see the package documentation).

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
		if !strings.HasPrefix(name, "zkfle.") {
			// zkfle's own keys have no ZooKeeper reading to differ from.
			p.warnPrefixed(name)
		}
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
	p.s.PeerAddressCheck = true
	if key, v, ok := p.systemProperty(keyPeerAddressCheck); ok {
		b, good := parseJavaBoolean(v)
		if !good {
			// A typo must not silently turn a security check off (or on).
			return p.errorf(ErrBadValue, key, v, "not true or false")
		}
		p.s.PeerAddressCheck = b
	}
	p.s.ElectionFastPaths = true
	if key, v, ok := p.systemProperty(keyFastPaths); ok {
		b, good := parseJavaBoolean(v)
		if !good {
			return p.errorf(ErrBadValue, key, v, "not true or false")
		}
		p.s.ElectionFastPaths = b
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
		w = quorum.JavaTrim(w)
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
