package zoocfg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/zkfle/zkfle/quorum"
)

// File is a parsed zoo.cfg: every key as written, in file order, and the
// typed values ZooKeeper 3.8's QuorumPeerConfig would derive from it,
// with the ensemble already built into a quorum verifier. A File is
// immutable once Load or Parse returns it, and safe to share.
type File struct {
	name     string            // for messages: the path, or "zoo.cfg"
	path     string            // the file's path when loaded, else ""
	baseDir  string            // relative paths are resolved against it ("" = cwd)
	props    []quorum.Property // as written (raw keys and values), file order
	settings Settings
	// ensemble are the server/group/weight lines as written, from the
	// zoo.cfg or its dynamic config file (for errors naming a line).
	ensemble []quorum.Property

	unknown  []string
	ignored  []string
	warnings []string
}

// Load reads the zoo.cfg at path, as `QuorumPeerMain path` would: relative
// paths inside it (dataDir, dataLogDir, dynamicConfigFile) are relative to
// the process's working directory, not to the file, exactly as in Java.
// When the file names a dynamicConfigFile, Load also reads
// <path>.dynamic.next if it exists (a reconfiguration in progress), as
// ZooKeeper does.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Reason: readFailure(err), Err: fmt.Errorf("%w: %w", ErrRead, err)}
	}
	f := &File{name: path, path: path}
	if w := relativePathWarning(javaFilePath(path)); w != "" {
		f.warnings = append(f.warnings, w)
	}
	if err := f.parse(data); err != nil {
		return nil, err
	}
	return f, nil
}

// Parse reads a zoo.cfg from r. Relative paths in it are resolved against
// baseDir, or left relative to the process's working directory (as Java
// does) when baseDir is "". Errors name the file "zoo.cfg". Unlike Load,
// Parse has no file path, so it never looks for a .dynamic.next file.
func Parse(r io.Reader, baseDir string) (*File, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, &Error{File: "zoo.cfg", Reason: err.Error(), Err: fmt.Errorf("%w: %w", ErrRead, err)}
	}
	f := &File{name: "zoo.cfg", baseDir: baseDir}
	if err := f.parse(buf.Bytes()); err != nil {
		return nil, err
	}
	return f, nil
}

// parse fills f from the file's bytes.
func (f *File) parse(data []byte) error {
	props, err := readProperties(f.name, data)
	if err != nil {
		return err
	}
	f.props = props
	p := newParser(f)
	if err := p.run(); err != nil {
		return err
	}
	f.ensemble = p.ensemble
	return nil
}

// readFailure says why a file could not be read, without repeating its
// path (the *Error names it).
func readFailure(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "cannot " + pe.Op + ": " + pe.Err.Error()
	}
	return "cannot read: " + err.Error()
}

// readProperties decodes a Properties file the way
// Properties.load(InputStream) does (ISO 8859-1).
func readProperties(name string, data []byte) ([]quorum.Property, error) {
	props, err := quorum.ReadProperties(latin1(data))
	if err != nil {
		return nil, &Error{File: name, Reason: strings.TrimPrefix(err.Error(), "quorum: "), Err: fmt.Errorf("%w: %w", ErrSyntax, err)}
	}
	return props, nil
}

// Properties returns every key=value of the file in file order, as
// written (a key given twice appears once, at its first position, with its
// last value, as in Java).
func (f *File) Properties() []quorum.Property { return slices.Clone(f.props) }

// Get returns the value of a key as ZooKeeper reads it (trimmed), and
// whether the file has it. Keys are matched after trimming, as
// QuorumPeerConfig does.
func (f *File) Get(key string) (string, bool) {
	for i := len(f.props) - 1; i >= 0; i-- {
		if quorum.JavaTrim(f.props[i].Key) == key {
			return quorum.JavaTrim(f.props[i].Value), true
		}
	}
	return "", false
}

// Settings returns the typed values of the file.
func (f *File) Settings() Settings {
	s := f.settings
	s.FourLetterWords = slices.Clone(s.FourLetterWords)
	return s
}

// Unknown lists, in file order, the keys that neither ZooKeeper's
// QuorumPeerConfig nor zkfle handles and that ZooKeeper's Administrator's
// Guide does not document: most likely typos. ZooKeeper passes such keys
// on as "zookeeper."+key system properties, so they are not errors; the
// caller should warn about them.
func (f *File) Unknown() []string { return slices.Clone(f.unknown) }

// Ignored lists, in file order, the keys ZooKeeper knows (its own
// QuorumPeerConfig keys and the documented system-property keys) that
// zkfle accepts but does not apply, because they concern the data tree,
// client sessions or other parts of ZooKeeper that zkfle does not have.
func (f *File) Ignored() []string { return slices.Clone(f.ignored) }

// Warnings returns what ZooKeeper would warn about while parsing this
// file (in ZooKeeper's words where it has them: "No server failure will
// be tolerated. You need at least 3 servers.", "Non-optimal
// configuration, consider an odd number of servers.", relative paths),
// plus zkfle's own notes on settings it treats differently. Warnings that
// depend on which server reads the file are in WarningsFor.
func (f *File) Warnings() []string { return slices.Clone(f.warnings) }

// WarningsFor returns Warnings plus those that depend on the server's id:
// ZooKeeper's "Peer type from servers list (...) doesn't match peerType
// (...). Defaulting to servers list." when peerType disagrees with this
// server's line.
func (f *File) WarningsFor(myid int64) []string {
	w := f.Warnings()
	listed := quorum.Participant
	if srv, ok := f.settings.Verifier.Server(myid); ok {
		listed = srv.Type
	}
	if listed != f.settings.PeerType {
		w = append(w, fmt.Sprintf("Peer type from servers list (%s) doesn't match peerType (%s). Defaulting to servers list.",
			javaLearnerType(listed), javaLearnerType(f.settings.PeerType)))
	}
	return w
}

// javaLearnerType is how Java prints a LearnerType.
func javaLearnerType(t quorum.LearnerType) string {
	if t == quorum.Observer {
		return "OBSERVER"
	}
	return "PARTICIPANT"
}
