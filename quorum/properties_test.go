package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadProperties(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []property
	}{
		{"empty", "", nil},
		{"key=value", "a=b", []property{{"a", "b"}}},
		{"key:value", "a:b", []property{{"a", "b"}}},
		{"key value", "a b", []property{{"a", "b"}}},
		{"blanks around the separator", " \t\fa \t= \fb c ", []property{{"a", "b c "}}},
		{"only the first separator counts", "a = =b", []property{{"a", "=b"}}},
		{"blank then colon then equals", "a : = b", []property{{"a", "= b"}}},
		{"key without value", "a", []property{{"a", ""}}},
		{"comments and blank lines", "# x=y\n! p=q\n\n   \n  # indented=comment\na=b", []property{{"a", "b"}}},
		{"a comment does not continue", "# x\\\na=b", []property{{"a", "b"}}},
		{"line endings", "a=1\r\nb=2\rc=3\n", []property{{"a", "1"}, {"b", "2"}, {"c", "3"}}},
		{"continuation drops the next line's leading blanks", "a=x\\\n   y\\\r\n\tz", []property{{"a", "xyz"}}},
		{"an even run of backslashes does not continue", "a=x\\\\\nb=y", []property{{"a", `x\`}, {"b", "y"}}},
		{"continuation into a blank line ends the entry", "a=x\\\n\nb=y", []property{{"a", "x"}, {"b", "y"}}},
		{"backslash at the end of the text is dropped", "a=x\\", []property{{"a", "x"}}},
		{"a lone backslash line is an empty key", "\\", []property{{"", ""}}},
		{"continued empty line followed by a comment", "\\\n# c=d\na=b", []property{{"a", "b"}}},
		{"escapes", `a\=b\:c\ d=\t\n\r\f\u0041\q`, []property{{"a=b:c d", "\t\n\r\fAq"}}},
		{"surrogate pair escape", `k=\uD83D\uDE00`, []property{{"k", "😀"}}},
		{"last value wins, first position stays", "a=1\nb=2\na=3", []property{{"a", "3"}, {"b", "2"}}},
		{"non-ASCII passes through", "zü=ü", []property{{"zü", "ü"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadProperties(tc.text)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLoadPropertiesErrors(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		mention string
	}{
		{"short unicode escape", `a=\u00`, `\\u00`},
		{"non-hex unicode escape", `a=\u00zz`, `\\u00zz`},
		{"short unicode escape in a key", `a\u4=b`, `a\\u4`},
		{"unpaired high surrogate", `a=\uD800x`, "surrogate"},
		{"unpaired low surrogate", `a=\uDC00`, "surrogate"},
		{"invalid UTF-8", "a=\xff", "UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadProperties(tc.text)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrSyntax)
			assert.Contains(t, err.Error(), tc.mention)
		})
	}
}
