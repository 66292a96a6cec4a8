package zoocfg

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/zkfle/zkfle/quorum"
)

func TestDecodeJavaInt(t *testing.T) {
	tests := []struct {
		in   string
		want int32
		ok   bool
	}{
		{"200", 200, true}, {"+200", 200, true}, {"-200", -200, true},
		{"0x10", 16, true}, {"0X10", 16, true}, {"#10", 16, true}, {"-0x10", -16, true},
		{"010", 8, true}, {"0", 0, true}, {"-0", 0, true},
		{"2147483647", 2147483647, true}, {"-2147483648", -2147483648, true},
		{"2147483648", 0, false}, {"0x", 0, false}, {"#", 0, false}, {"0x-1", 0, false},
		{"08", 0, false}, {"", 0, false}, {"1_000", 0, false}, {"0b1", 0, false}, {" 1", 0, false},
	}
	for _, tt := range tests {
		got, ok := decodeJavaInt(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestParseJavaIntAndBoolean(t *testing.T) {
	for in, want := range map[string]bool{"1": true, "+1": true, "-1": true, "0x1": false, "1.0": false, "": false, "１": false} {
		_, ok := parseJavaInt(in)
		assert.Equal(t, want, ok, in)
	}
	for in, want := range map[string][2]bool{"true": {true, true}, "TRUE": {true, true}, "False": {false, true}, "yes": {false, false}, "1": {false, false}} {
		v, ok := parseJavaBoolean(in)
		assert.Equal(t, want, [2]bool{v, ok}, in)
	}
}

func TestJavaFilePath(t *testing.T) {
	for in, want := range map[string]string{
		"/var/lib/zk": "/var/lib/zk", "/var//lib///zk/": "/var/lib/zk", "/": "/", "//": "/",
		"./data": "./data", "data/": "data", "../x/./y": "../x/./y",
	} {
		assert.Equal(t, want, javaFilePath(in), in)
	}
	assert.Equal(t, "data is relative. Prepend ./ to indicate that you're sure!", relativePathWarning("data"))
	assert.Empty(t, relativePathWarning("./data"))
	assert.Empty(t, relativePathWarning("/data"))
}

// TestLatin1: zoo.cfg bytes are ISO 8859-1 chars, as Java reads them.
func TestLatin1(t *testing.T) {
	assert.Equal(t, "plain", latin1([]byte("plain")))
	assert.Equal(t, "hÃ©", latin1([]byte("h\xc3\xa9")), "UTF-8 é is two chars")
	assert.Equal(t, "\u00ff\u0080", latin1([]byte{0xff, 0x80}))

	f := mustParse(t, base+"server.1=h\xc3\xa9.invalid:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n")
	srv, ok := f.Settings().Verifier.Server(1)
	require.True(t, ok)
	assert.Equal(t, "hÃ©.invalid", srv.Addrs[0].Host)
}

// TestWritePropertyRoundTrip: the text handed to quorum.ParseConfig reads
// back to exactly the keys and values it was built from.
func TestWritePropertyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 4).Draw(t, "n")
		var sb strings.Builder
		var want []quorum.Property
		seen := map[string]bool{}
		for i := 0; i < n; i++ {
			key := rapid.String().Draw(t, "key")
			value := rapid.String().Draw(t, "value")
			if seen[key] {
				continue
			}
			seen[key] = true
			writeProperty(&sb, key, value)
			want = append(want, quorum.Property{Key: key, Value: value})
		}
		got, err := quorum.ReadProperties(sb.String())
		if err != nil {
			t.Fatalf("%q: %v", sb.String(), err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: got %q, want %q", sb.String(), got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%q: got %q, want %q", sb.String(), got[i], want[i])
			}
		}
	})
}

// FuzzParse: no input makes Parse panic, and what it accepts has a
// verifier and settings NodeConfig can use or refuse with an *Error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(strings.ReplaceAll(readmeZooCfg, "DIR", "/tmp")))
	f.Add([]byte(base + ensemble3 + "group.1=1:2:3\nweight.3=0\n"))
	f.Add([]byte(base + "server.1=[::1]:2888:3888;[::1]:2181\nserver.2=[::1]:2889:3889:observer\n"))
	f.Add([]byte(base + "4lw.commands.whitelist=*\ncnxTimeout=0x10\n\\\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(strings.NewReader(string(data)), "")
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			return
		}
		s := file.Settings()
		require.NotNil(t, s.Verifier)
		for _, id := range s.Verifier.VotingMembers() {
			if _, err := file.NodeConfig(id); err != nil {
				var e *Error
				require.ErrorAs(t, err, &e)
			}
		}
	})
}
