package mutate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Errors of a mutation that cannot be applied to the source it names.
var (
	// ErrSnippetMissing: the original snippet does not occur in the file
	// (the code changed; update the entry).
	ErrSnippetMissing = errors.New("mutate: original snippet not found")
	// ErrSnippetAmbiguous: the original snippet occurs more than once, so
	// which occurrence is meant is unclear (lengthen it).
	ErrSnippetAmbiguous = errors.New("mutate: original snippet occurs more than once")
)

// Apply returns src with m's snippet replaced. It refuses a snippet that
// occurs zero times or more than once.
func (m Mutation) Apply(src []byte) ([]byte, error) {
	from := []byte(m.From)
	switch n := bytes.Count(src, from); n {
	case 1:
		return bytes.Replace(src, from, []byte(m.To), 1), nil
	case 0:
		return nil, fmt.Errorf("%s: %s: %w: %q", m.ID, m.File, ErrSnippetMissing, m.From)
	default:
		return nil, fmt.Errorf("%s: %s: %w (%d times): %q", m.ID, m.File, ErrSnippetAmbiguous, n, m.From)
	}
}

// Check verifies every mutation against the module at root: its file
// exists, its snippet occurs exactly once, and its packages are
// directories. It returns every problem found, joined.
func Check(root string, muts []Mutation) error {
	var errs []error
	for _, m := range muts {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File)))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.ID, err))
			continue
		}
		if _, err := m.Apply(src); err != nil {
			errs = append(errs, err)
		}
		for _, p := range m.Pkgs {
			dir := filepath.Join(root, filepath.FromSlash(p))
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				errs = append(errs, fmt.Errorf("%s: package %s is not a directory of the module", m.ID, p))
			}
		}
	}
	return errors.Join(errs...)
}
