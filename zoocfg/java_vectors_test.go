package zoocfg

import (
	"bufio"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// javaCase is one case of testdata/javagen/cases.txt: the files of a
// zoo.cfg setup and what zoocfg must make of it compared with Java.
type javaCase struct {
	name   string
	expect string          // match, stricter, laxer
	key    string          // the key zoocfg's *Error must name
	differ map[string]bool // fields zoocfg sets differently on purpose
	files  map[string][]byte
}

// javaResult is what ZooKeeper 3.8 made of a case
// (testdata/java_vectors.txt): field=value lines and its WARN/ERROR logs.
type javaResult struct {
	fields map[string]string
	logs   []string
}

func readJavaCases(t *testing.T) []javaCase {
	t.Helper()
	fh, err := os.Open("testdata/javagen/cases.txt")
	require.NoError(t, err)
	defer fh.Close()
	var (
		cases  []javaCase
		cur    *javaCase
		file   string
		quoted bool
		body   []byte
	)
	flush := func() {
		if file != "" {
			cur.files[file] = body
		}
		file, body = "", nil
	}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			f := strings.Fields(line[4:])
			cases = append(cases, javaCase{name: f[0], expect: f[1], differ: map[string]bool{}, files: map[string][]byte{}})
			cur = &cases[len(cases)-1]
			for _, opt := range f[2:] {
				k, v, _ := strings.Cut(opt, "=")
				switch k {
				case "key":
					cur.key = v
				case "differ":
					for _, d := range strings.Split(v, ",") {
						cur.differ[d] = true
					}
				}
			}
		case strings.HasPrefix(line, "--- "):
			flush()
			f := strings.Fields(line[4:])
			if f[0] == "jvm" {
				continue // JVM flags have no zkfle counterpart
			}
			file, quoted, body = f[0], len(f) > 1 && f[1] == "quoted", []byte{}
		case line == "":
			flush() // a blank line ends a file
		case file == "":
			// a comment between cases
		case quoted:
			s, err := strconv.Unquote(line)
			require.NoError(t, err, line)
			// \xHH escapes are single bytes, as in the Java generator.
			body = append(body, s...)
		default:
			body = append(body, line+"\n"...)
		}
	}
	require.NoError(t, sc.Err())
	flush()
	return cases
}

func readJavaResults(t *testing.T) map[string]*javaResult {
	t.Helper()
	fh, err := os.Open("testdata/java_vectors.txt")
	require.NoError(t, err)
	defer fh.Close()
	out := map[string]*javaResult{}
	var cur *javaResult
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "=== ") {
			cur = &javaResult{fields: map[string]string{}}
			out[strings.Fields(line[4:])[0]] = cur
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		if strings.HasPrefix(v, `"`) {
			v, err = strconv.Unquote(v)
			require.NoError(t, err, line)
		}
		if k == "log" {
			cur.logs = append(cur.logs, v)
			continue
		}
		cur.fields[k] = v
	}
	require.NoError(t, sc.Err())
	return out
}

// javaFailed reports whether ZooKeeper refused the case: its parse threw,
// or QuorumCnxManager's constructor would (a bad cnxTimeout).
func (r *javaResult) javaFailed() bool {
	_, threw := r.fields["error"]
	return threw || r.fields["cnxTimeout"] == "error"
}

// comparedWarnings are the kinds of ZooKeeper warnings zoocfg reproduces
// word for word.
var comparedWarnings = []string{
	"No server failure will be tolerated",
	"Non-optimal configuration",
	"is relative. Prepend ./",
	"Peer type from servers list",
	"Invalid configuration, only one server specified",
	"Invalid autopurge.snapRetainCount",
}

func compared(warnings []string) []string {
	var out []string
	for _, w := range warnings {
		for _, c := range comparedWarnings {
			if strings.Contains(w, c) {
				out = append(out, w)
				break
			}
		}
	}
	return out
}

// goRun is what zoocfg makes of a case: Load, then for an ensemble
// ReadMyID and NodeConfig, stopping at the first error.
type goRun struct {
	file       *File
	id         int64
	node       bool   // NodeConfig succeeded
	clientAddr string // NodeConfig's ClientAddr
	err        error
}

func runGo(dir string) goRun {
	var r goRun
	r.file, r.err = Load(filepath.Join(dir, "zoo.cfg"))
	if r.err != nil || !r.file.Settings().Distributed {
		return r
	}
	if r.id, r.err = ReadMyID(r.file.Settings().DataDir); r.err != nil {
		return r
	}
	cfg, err := r.file.NodeConfig(r.id)
	r.err, r.node, r.clientAddr = err, err == nil, cfg.ClientAddr
	return r
}

// TestJavaVectors holds zoocfg to what ZooKeeper 3.8.0's own
// QuorumPeerConfig made of the same files (testdata/javagen).
func TestJavaVectors(t *testing.T) {
	results := readJavaResults(t)
	cases := readJavaCases(t)
	require.NotEmpty(t, cases)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			java, ok := results[c.name]
			require.True(t, ok, "no Java result for %s: regenerate testdata/java_vectors.txt", c.name)
			dir := t.TempDir()
			for name, content := range c.files {
				p := filepath.Join(dir, name)
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(string(content), "@DIR@", dir)), 0o644))
			}
			got := runGo(dir)
			switch {
			case c.expect == "laxer":
				require.True(t, java.javaFailed(), "Java accepted it: not a laxer case")
				require.NoError(t, got.err)
				return
			case c.expect == "stricter":
				require.False(t, java.javaFailed(), "Java refused it: not a stricter case")
				requireKeyError(t, got.err, c.key, dir)
				return
			case java.javaFailed():
				requireKeyError(t, got.err, c.key, dir)
				return
			}
			require.NoError(t, got.err)
			compareWithJava(t, c, java, got, dir)
		})
	}
}

// requireKeyError checks that err is an *Error naming key, whose message
// quotes its value.
func requireKeyError(t *testing.T, err error, key, dir string) {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.True(t, errors.As(err, &e), "not an *Error: %v", err)
	assert.Equal(t, key, e.Key, "%v", err)
	assert.Contains(t, err.Error(), key+"="+strconv.Quote(e.Value))
	assert.NotEmpty(t, e.Reason)
	assert.NotNil(t, errors.Unwrap(err), "wraps no sentinel")
	assert.NotContains(t, err.Error(), dir+"/"+dir, "path joined twice")
}

func compareWithJava(t *testing.T, c javaCase, java *javaResult, got goRun, dir string) {
	t.Helper()
	s := got.file.Settings()
	want := func(field string) string {
		return strings.ReplaceAll(java.fields[field], "@DIR@", dir)
	}
	check := func(field string, gotValue any) {
		t.Helper()
		if c.differ[field] {
			assert.NotEqual(t, want(field), gotValue, "%s: marked differ= but equal", field)
			return
		}
		assert.Equal(t, want(field), gotValue, field)
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	check("distributed", strconv.FormatBool(s.Distributed))
	check("tickTime", ms(s.TickTime))
	check("initLimit", strconv.Itoa(s.InitLimit))
	check("syncLimit", strconv.Itoa(s.SyncLimit))
	check("dataDir", s.DataDir)
	check("standaloneEnabled", strconv.FormatBool(s.StandaloneEnabled))
	check("reconfigEnabled", strconv.FormatBool(s.ReconfigEnabled))
	check("multiAddressEnabled", strconv.FormatBool(s.MultiAddressEnabled))
	check("quorumListenOnAllIPs", strconv.FormatBool(s.ListenOnAllIPs))
	if c.differ["verifier-order"] {
		wantLines, gotLines := strings.Split(want("verifier"), "\n"), strings.Split(s.Verifier.String(), "\n")
		assert.ElementsMatch(t, wantLines, gotLines, "verifier lines")
	} else {
		check("verifier", s.Verifier.String())
	}
	lastSeen := ""
	if s.LastSeen != nil {
		lastSeen = s.LastSeen.String()
	}
	check("lastSeen", lastSeen)
	check("cnxTimeout", ms(s.ConnectTimeout))
	handshake := want("quorumCnxnTimeoutMs")
	if n, _ := strconv.Atoi(handshake); n <= 0 {
		handshake = "0"
	}
	assert.Equal(t, handshake, ms(s.HandshakeTimeout), "quorumCnxnTimeoutMs")
	check("electionPortBindRetry", strconv.Itoa(s.ElectionPortBindRetry))
	check("tcpKeepAlive", strconv.FormatBool(s.TCPKeepAlive))
	check("minNotificationInterval", ms(s.MinNotificationInterval))
	check("maxNotificationInterval", ms(s.MaxNotificationInterval))
	check("4lw", strings.Join(enabledWords(s.FourLetterWords), ","))
	clientAddr := s.ClientAddr
	warnings := got.file.Warnings()
	if got.node {
		clientAddr = got.clientAddr
		check("serverId", strconv.FormatInt(got.id, 10))
		srv, _ := s.Verifier.Server(got.id)
		check("peerType", javaLearnerType(srv.Type))
		warnings = got.file.WarningsFor(got.id)
	}
	assert.True(t, sameHostPort(want("clientAddr"), clientAddr), "clientAddr: Java %q, zoocfg %q", want("clientAddr"), clientAddr)
	var javaLogs []string
	for _, l := range java.logs {
		javaLogs = append(javaLogs, strings.ReplaceAll(l, "@DIR@", dir))
	}
	assert.ElementsMatch(t, compared(javaLogs), compared(warnings), "warnings")
}

// enabledWords is the set of commands a whitelist lets through, as
// FourLetterCommands.isEnabled answers, sorted.
func enabledWords(list []string) []string {
	if slices.Contains(list, "*") {
		return slices.Clone(knownFourLetterWords)
	}
	var out []string
	for _, w := range knownFourLetterWords {
		if slices.Contains(list, w) {
			out = append(out, w)
		}
	}
	return out
}

// sameHostPort compares two "host:port" strings, IP literals by value
// (Java prints ::1 as 0:0:0:0:0:0:0:1).
func sameHostPort(a, b string) bool {
	if a == b {
		return true
	}
	ah, ap, errA := net.SplitHostPort(a)
	bh, bp, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || ap != bp {
		return false
	}
	aIP, errA := netip.ParseAddr(ah)
	bIP, errB := netip.ParseAddr(bh)
	return errA == nil && errB == nil && aIP == bIP
}
