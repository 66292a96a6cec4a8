package zoocfg

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/quorum"
)

// A zoo.cfg with dynamicConfigFile keeps its server, group and weight
// lines in that file (ZooKeeper writes one when reconfigEnabled=true);
// the file's name carries the configuration version.

// dynamicEnsemble reads dynamicConfigFile (whose name's last '.'-suffix,
// if hex, is the config version) and, for a loaded zoo.cfg,
// <zoo.cfg>.dynamic.next.
func (p *parser) dynamicEnsemble() error {
	name := p.strs["dynamicConfigFile"]
	path := p.resolve(name)
	p.s.DynamicConfigFile = path
	props, err := p.readEnsembleFile("dynamicConfigFile", name, path)
	if err != nil {
		return err
	}
	for _, prop := range props {
		if prop.Key == "version" {
			return &Error{File: path, Key: prop.Key, Value: prop.Value,
				Reason: "the dynamic file must not have a version (it is the file name's suffix)", Err: ErrConflict}
		}
	}
	p.ensemble, p.ensembleFile = props, path
	if p.s.Verifier, err = p.buildVerifier(path, props, versionFromFilename(name)); err != nil {
		return err
	}
	if p.f.path == "" {
		return nil
	}
	next := p.f.path + ".dynamic.next"
	if _, statErr := os.Stat(next); statErr != nil {
		return nil // ZooKeeper only reads it when it exists
	}
	data, err := os.ReadFile(next)
	if err != nil {
		// ZooKeeper goes on without it ("NextQuorumVerifier is initiated
		// to null").
		p.warnf("%s: %s; going on without the next configuration", next, readFailure(err))
		return nil
	}
	nextProps, err := readProperties(next, data)
	if err != nil {
		return err
	}
	p.s.LastSeen, err = p.buildVerifier(next, nextProps, "")
	return err
}

// readEnsembleFile reads the dynamic config file's properties; an error
// names the dynamicConfigFile key of the zoo.cfg.
func (p *parser) readEnsembleFile(key, value, path string) ([]quorum.Property, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: p.f.name, Key: key, Value: value, Reason: readFailure(err), Err: fmt.Errorf("%w: %w", ErrRead, err)}
	}
	return readProperties(path, data)
}

// versionFromFilename is QuorumPeerConfig.getVersionFromFilename: the
// text after the name's last '.', if it is a hex long, printed back in
// lower-case hex; else "" (version 0).
func versionFromFilename(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	v, err := strconv.ParseInt(name[i+1:], 16, 64)
	if err != nil {
		return ""
	}
	return strconv.FormatUint(uint64(v), 16)
}
