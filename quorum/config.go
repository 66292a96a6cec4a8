package quorum

import (
	"strings"
)

// ParseConfig parses a config string the way QuorumPeer.configFromString
// does (Properties.load, then QuorumPeerConfig.parseDynamicConfig): it is
// what every version-2 notification carries, and what String() prints.
//
// Accepted keys: server.<sid> (see ParseServerLine), group<...>.<gid>,
// weight<...>.<sid>, version (hex). Any group or weight key makes the
// result a *Hierarchical, otherwise it is a *Majority. Like Java, the id
// of a group or weight key is whatever follows its first '.', so
// "groups.1" is group 1. A key given twice keeps its last value, as in
// Properties; two keys that name the same server, group or weight
// ("server.1" and "server.01") are an error. A config with observers but
// no participants is an error, as in Java (whose default
// standaloneEnabled=true also forbids one participant plus observers;
// that is a local setting, so it is not enforced here).
//
// The result's String() is what a Java node that parsed the same text
// prints, line order included: keys are walked in the order Java's
// Properties iterates them, which is the order Java fills its HashMaps.
//
// Errors wrap a sentinel; a bad server line gives a *ServerError, any
// other bad key a *ConfigError. Deliberately stricter than Java: negative
// versions, keys surrounded by escaped blanks, unprintable hosts, empty
// or duplicate groups (see the sentinels) are refused because their
// printed form would not parse back to the same verifier.
func ParseConfig(text string) (Verifier, error) {
	props, err := loadProperties(text)
	if err != nil {
		return nil, err
	}
	var (
		members      []*member
		seenServer   = make(map[int64]bool)
		hier         = hierarchy{groups: make(Groups), weights: make(Weights)}
		hierarchical bool
		version      int64
	)
	// Walk the keys in the order Java's Properties iterates them: that is
	// the order Java puts sids into its HashMaps, which String() follows.
	keys := make([]string, len(props))
	for i, p := range props {
		keys[i] = p.key
	}
	for _, i := range javaPropertiesOrder(keys) {
		p := props[i]
		switch {
		case strings.HasPrefix(p.key, "server."):
			sid, ok := parseJavaLong(p.key[len("server."):], 10)
			if !ok {
				return nil, &ConfigError{p.key, p.value, wrapf(ErrBadID, "server id %q", p.key[len("server."):])}
			}
			if seenServer[sid] {
				return nil, &ServerError{ID: sid, Value: p.value, Err: wrapf(ErrDuplicateServer, "sid %d given twice (once as %q)", sid, p.key)}
			}
			m, err := parseServerMember(sid, p.value)
			if err != nil {
				return nil, err
			}
			seenServer[sid] = true
			members = append(members, m)
		case strings.HasPrefix(p.key, "group"):
			hierarchical = true
			if err := parseGroup(p, &hier); err != nil {
				return nil, err
			}
		case strings.HasPrefix(p.key, "weight"):
			hierarchical = true
			if err := parseWeight(p, &hier); err != nil {
				return nil, err
			}
		case p.key == "version":
			v, ok := parseJavaLong(p.value, 16)
			if !ok || v < 0 {
				return nil, &ConfigError{p.key, p.value, wrapf(ErrBadVersion, "%q is not a non-negative hex long", p.value)}
			}
			version = v
		default:
			return nil, &ConfigError{p.key, p.value, wrapf(ErrUnknownKey, "%q", p.key)}
		}
	}
	if err := checkHasParticipants(members); err != nil {
		return nil, err
	}
	ms, err := buildMembership(members, version)
	if err != nil {
		return nil, err
	}
	if !hierarchical {
		return newMajority(ms), nil
	}
	h, err := newHierarchical(ms, hier)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return h, nil
}

// keyID is the id of a group or weight key: Long.parseLong of what
// follows the key's first '.' (the whole key when it has none, which
// never parses).
func keyID(key string) (int64, bool) {
	return parseJavaLong(key[strings.IndexByte(key, '.')+1:], 10)
}

// parseGroup reads group.<gid>=<sid>:<sid>... into h.
func parseGroup(p property, h *hierarchy) error {
	gid, ok := keyID(p.key)
	if !ok {
		return &ConfigError{p.key, p.value, wrapf(ErrBadID, "group id in key %q", p.key)}
	}
	if _, dup := h.groups[gid]; dup {
		return &ConfigError{p.key, p.value, wrapf(ErrDuplicateGroup, "group %d given twice", gid)}
	}
	var sids []int64
	for _, s := range javaSplit(p.value, ':') {
		sid, ok := parseJavaLong(s, 10)
		if !ok {
			return &ConfigError{p.key, p.value, wrapf(ErrBadID, "sid %q in group %d", s, gid)}
		}
		sids = append(sids, sid)
	}
	h.groups[gid] = sids
	h.groupOrder = append(h.groupOrder, gid)
	return nil
}

// parseWeight reads weight.<sid>=<w> into h.
func parseWeight(p property, h *hierarchy) error {
	sid, ok := keyID(p.key)
	if !ok {
		return &ConfigError{p.key, p.value, wrapf(ErrBadID, "sid in key %q", p.key)}
	}
	if _, dup := h.weights[sid]; dup {
		return &ConfigError{p.key, p.value, wrapf(ErrDuplicateWeight, "weight of sid %d given twice", sid)}
	}
	w, ok := parseJavaLong(p.value, 10)
	if !ok {
		return &ConfigError{p.key, p.value, wrapf(ErrBadWeight, "%q is not a decimal long", p.value)}
	}
	h.weights[sid] = w
	h.weightOrder = append(h.weightOrder, sid)
	return nil
}

// checkHasParticipants is parseDynamicConfig's "Observers w/o
// participants is an invalid configuration".
func checkHasParticipants(members []*member) error {
	observers := 0
	for _, m := range members {
		if m.server.Type == Participant {
			return nil
		}
		observers++
	}
	if observers > 0 {
		return wrapf(ErrObserversOnly, "%d observers and no participant", observers)
	}
	return nil
}
