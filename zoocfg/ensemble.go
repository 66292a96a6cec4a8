package zoocfg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/quorum"
)

// ensembleSetup builds the verifier, from the zoo.cfg's own server lines
// or from its dynamic config file, and applies parseDynamicConfig's
// checks and warnings.
func (p *parser) ensembleSetup() error {
	var err error
	if p.hasDynamic {
		err = p.dynamicEnsemble()
	} else {
		p.s.Verifier, err = p.buildVerifier(p.f.name, p.ensemble, "")
	}
	if err != nil {
		return err
	}
	return p.checkEnsembleSize()
}

// buildVerifier hands the ensemble lines to quorum.ParseConfig, which
// applies QuorumMaj's and QuorumHierarchical's rules and walks the keys in
// Java's Properties order, so the verifier prints exactly what Java
// prints. version, if not "", is added as the version line. Then it
// refuses several addresses per server unless multiAddress.enabled.
func (p *parser) buildVerifier(file string, props []quorum.Property, version string) (quorum.Verifier, error) {
	var sb strings.Builder
	for _, prop := range props {
		writeProperty(&sb, prop.Key, prop.Value)
	}
	if version != "" {
		writeProperty(&sb, "version", version)
	}
	v, err := quorum.ParseConfig(sb.String())
	if err != nil {
		return nil, ensembleError(file, props, err)
	}
	if err := p.checkMultiAddress(file, props, v); err != nil {
		return nil, err
	}
	return v, nil
}

// checkMultiAddress refuses servers with several addresses unless
// multiAddress.enabled, as QuorumServer does.
func (p *parser) checkMultiAddress(file string, props []quorum.Property, v quorum.Verifier) error {
	for _, srv := range v.Servers() {
		if len(srv.Addrs) < 2 {
			continue
		}
		if !p.s.MultiAddressEnabled {
			key, value := serverKey(props, srv.ID)
			return &Error{File: file, Key: key, Value: value,
				Reason: fmt.Sprintf("server %d has %d addresses but multiAddress.enabled is not true", srv.ID, len(srv.Addrs)),
				Err:    ErrMultiAddress}
		}
		_, bare := p.strs[keyMultiAddress]
		_, prefixed := p.prefixed[keyMultiAddress]
		if bare && !prefixed && !p.warnedMultiAddress {
			p.warnedMultiAddress = true
			p.warnf("server %d has several addresses: ZooKeeper 3.8 itself only parses such lines when the JVM runs with "+
				"-Dzookeeper.multiAddress.enabled=true; the zoo.cfg key alone is not enough there", srv.ID)
		}
	}
	return nil
}

// writeProperty appends key=value as Properties text that reads back to
// exactly that key and value.
func writeProperty(sb *strings.Builder, key, value string) {
	writeEscaped(sb, key, true)
	sb.WriteByte('=')
	writeEscaped(sb, value, false)
	sb.WriteByte('\n')
}

// writeEscaped escapes what Properties.load would otherwise take as
// syntax: backslashes and line ends anywhere, separators and comment
// marks in keys, and leading blanks.
func writeEscaped(sb *strings.Builder, s string, isKey bool) {
	for i, r := range s {
		switch r {
		case '\\':
			sb.WriteString(`\\`)
		case '\t':
			sb.WriteString(`\t`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\f':
			sb.WriteString(`\f`)
		case ' ':
			if isKey || i == 0 {
				sb.WriteByte('\\')
			}
			sb.WriteByte(' ')
		case '=', ':', '#', '!':
			if isKey {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		default:
			sb.WriteRune(r)
		}
	}
}

// ensembleError turns quorum's error into an *Error naming the line. An
// error about the ensemble as a whole names its first server line, or for
// group and weight trouble its first group or weight line.
func ensembleError(file string, props []quorum.Property, err error) error {
	var (
		ce     *quorum.ConfigError
		se     *quorum.ServerError
		key    string
		value  string
		reason = err
	)
	switch {
	case errors.As(err, &ce):
		key, value, reason = ce.Key, ce.Value, ce.Err
	case errors.As(err, &se):
		key, value = serverKey(props, se.ID)
		if se.Value != "" {
			value = se.Value
		}
		reason = se.Err
	case errors.Is(err, quorum.ErrNoGroup), errors.Is(err, quorum.ErrNoWeight):
		key, value = firstKey(props, isHierarchyKey)
	default:
		key, value = firstKey(props, func(k string) bool { return strings.HasPrefix(k, "server.") })
	}
	return &Error{File: file, Key: key, Value: value,
		Reason: strings.TrimPrefix(reason.Error(), "quorum: "), Err: fmt.Errorf("%w: %w", ErrEnsemble, err)}
}

// serverKey finds the line of server sid, as written.
func serverKey(props []quorum.Property, sid int64) (key, value string) {
	for _, prop := range props {
		rest, ok := strings.CutPrefix(prop.Key, "server.")
		if id, err := strconv.ParseInt(rest, 10, 64); ok && err == nil && id == sid {
			return prop.Key, prop.Value
		}
	}
	return "server." + strconv.FormatInt(sid, 10), ""
}

// firstKey finds the first line whose key matches.
func firstKey(props []quorum.Property, match func(string) bool) (key, value string) {
	for _, prop := range props {
		if match(quorum.JavaTrim(prop.Key)) {
			return prop.Key, prop.Value
		}
	}
	return "", ""
}

// checkEnsembleSize is parseDynamicConfig's count of participants: it
// decides whether ZooKeeper runs distributed or standalone, refuses
// observers with fewer than two participants, and warns about ensembles
// that tolerate no failure or have an even size.
func (p *parser) checkEnsembleSize() error {
	voters, observers := len(p.s.Verifier.VotingMembers()), p.s.Verifier.ObservingMembers()
	switch {
	case voters == 0:
		if !p.s.StandaloneEnabled {
			return p.errorf(ErrConflict, "standaloneEnabled", p.strs["standaloneEnabled"],
				"standaloneEnabled = false then number of participants should be >0")
		}
	case voters == 1 && p.s.StandaloneEnabled:
		p.warnf("Invalid configuration, only one server specified (ignoring)")
		if len(observers) > 0 {
			key, value := serverKey(p.ensemble, observers[0])
			return &Error{File: p.ensembleFile, Key: key, Value: value,
				Reason: "Observers w/o quorum is an invalid configuration (one participant and standaloneEnabled=true)",
				Err:    ErrConflict}
		}
	case voters <= 2:
		p.warnf("No server failure will be tolerated. You need at least 3 servers.")
	case voters%2 == 0:
		p.warnf("Non-optimal configuration, consider an odd number of servers.")
	}
	p.s.Distributed = !p.s.StandaloneEnabled || voters > 1
	return nil
}
