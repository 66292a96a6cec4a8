package quorum

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// javaVector is one line of testdata/java_vectors.txt: what the real
// ZooKeeper 3.8 classes made of an input (see testdata/javagen).
type javaVector struct {
	line   int
	expect string // match, stricter or laxer
	kind   string // config, server:N, equals, longmap, props
	input  string
	result string // Java's output; "" with javaErr when Java threw
	javaOK bool
}

func loadJavaVectors(t testing.TB) []javaVector {
	t.Helper()
	f, err := os.Open("testdata/java_vectors.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []javaVector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		fields := strings.SplitN(sc.Text(), " ", 3)
		require.Len(t, fields, 3, "line %d", n)
		v := javaVector{line: n, expect: fields[0], kind: fields[1]}
		quoted, err := strconv.QuotedPrefix(fields[2])
		require.NoError(t, err, "line %d", n)
		v.input, err = strconv.Unquote(quoted)
		require.NoError(t, err, "line %d", n)
		rest := strings.TrimPrefix(fields[2][len(quoted):], " ")
		if rest != "error" {
			v.result, err = strconv.Unquote(rest)
			require.NoError(t, err, "line %d", n)
			v.javaOK = true
		}
		out = append(out, v)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// TestJavaVectors holds ParseConfig, ParseServerLine, String, Equal and
// the hash-order simulation to what Java printed for the same input.
func TestJavaVectors(t *testing.T) {
	for _, v := range loadJavaVectors(t) {
		t.Run(fmt.Sprintf("line%d_%s_%s", v.line, v.expect, v.kind), func(t *testing.T) {
			got, err := runJavaVector(v)
			switch v.expect {
			case "match":
				if !v.javaOK {
					require.Error(t, err, "Java refused %q", v.input)
					return
				}
				require.NoError(t, err, "Java accepted %q", v.input)
				require.Equal(t, v.result, got, "input %q", v.input)
			case "stricter":
				require.True(t, v.javaOK, "the vector should show Java accepting %q", v.input)
				require.Error(t, err, "we refuse %q on purpose", v.input)
			case "laxer":
				require.False(t, v.javaOK, "the vector should show Java refusing %q", v.input)
				require.NoError(t, err, "we accept %q on purpose", v.input)
			default:
				t.Fatalf("unknown expectation %q", v.expect)
			}
		})
	}
}

// runJavaVector does in Go what ConfigEcho.java did in Java.
func runJavaVector(v javaVector) (string, error) {
	switch {
	case v.kind == "config":
		qv, err := ParseConfig(v.input)
		if err != nil {
			return "", err
		}
		return qv.String(), nil
	case strings.HasPrefix(v.kind, "server:"):
		id, err := strconv.ParseInt(strings.TrimPrefix(v.kind, "server:"), 10, 64)
		if err != nil {
			return "", err
		}
		s, err := ParseServerLine(id, v.input)
		if err != nil {
			return "", err
		}
		m, err := newMember(s)
		if err != nil {
			return "", err
		}
		return m.text, nil
	case v.kind == "equals":
		a, b, ok := strings.Cut(v.input, "\n%%\n")
		if !ok {
			return "", fmt.Errorf("equals vector without separator")
		}
		qa, err := ParseConfig(a)
		if err != nil {
			return "", err
		}
		qb, err := ParseConfig(b)
		if err != nil {
			return "", err
		}
		return strconv.FormatBool(qa.Equal(qb)), nil
	case v.kind == "longmap":
		var keys []int64
		for _, s := range strings.Split(v.input, ",") {
			k, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return "", err
			}
			keys = append(keys, k)
		}
		var out []string
		for _, k := range javaHashMapOrder(keys) {
			out = append(out, strconv.FormatInt(k, 10))
		}
		return strings.Join(out, ","), nil
	case v.kind == "props":
		props, err := loadProperties(v.input)
		if err != nil {
			return "", err
		}
		keys := make([]string, len(props))
		for i, p := range props {
			keys[i] = p.key
		}
		var out []string
		for _, i := range javaPropertiesOrder(keys) {
			out = append(out, keys[i])
		}
		return strings.Join(out, "\n"), nil
	}
	return "", fmt.Errorf("unknown kind %q", v.kind)
}
