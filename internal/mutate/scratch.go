package mutate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Scratch is a throw-away copy of the module in which mutations are
// applied, one at a time, and reverted. The user's working tree is only
// ever read.
type Scratch struct {
	// Dir is the copy's module root.
	Dir string
}

// NewScratch copies the module at root into a new directory under tmp
// ("" means os.TempDir): the files git tracks plus untracked files it
// does not ignore, so uncommitted work is what gets tested. Without git
// (or outside a repository) it copies the tree, skipping .git. Remove the
// copy with Close.
func NewScratch(root, tmp string) (*Scratch, error) {
	dir, err := os.MkdirTemp(tmp, "zkfle-mutate-")
	if err != nil {
		return nil, err
	}
	s := &Scratch{Dir: dir}
	files, err := moduleFiles(root)
	if err == nil {
		err = copyFiles(root, dir, files)
	}
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("mutate: copying %s: %w", root, err)
	}
	return s, nil
}

// Close removes the copy.
func (s *Scratch) Close() error { return os.RemoveAll(s.Dir) }

// With applies m to the copy, calls fn, and restores the original file
// whatever fn does.
func (s *Scratch) With(m Mutation, fn func() error) error {
	path := filepath.Join(s.Dir, filepath.FromSlash(m.File))
	orig, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	mutated, err := m.Apply(orig)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return err
	}
	ferr := fn()
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		return errors.Join(ferr, fmt.Errorf("mutate: restoring %s in the scratch copy: %w", m.File, err))
	}
	return ferr
}

// moduleFiles lists the files to copy, relative to root.
func moduleFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err == nil {
		var files []string
		for _, f := range strings.Split(out.String(), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

// copyFiles copies files (slash-separated, relative) from src to dst,
// keeping their modes. A tracked file deleted in the working tree is
// skipped, as it is absent from what is being tested.
func copyFiles(src, dst string, files []string) error {
	for _, f := range files {
		from := filepath.Join(src, filepath.FromSlash(f))
		st, err := os.Lstat(from)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, data, st.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}
