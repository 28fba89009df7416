package cachingtest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
)

// OpenStoreFunc opens a Store in a folder, as Impl.OpenStore does.
type OpenStoreFunc = func(dir string) (caching.Store, error)

func smokeStore(t *testing.T, open OpenStoreFunc) {
	s, err := open(t.TempDir())
	if err != nil {
		return // the checks report it
	}
	s.Put("k", []byte("v"))
	s.Get("k")
}

// entryFiles lists the regular files under dir.
func entryFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// onlyEntry returns the one file under dir.
func onlyEntry(dir string) (string, error) {
	files, err := entryFiles(dir)
	if err != nil {
		return "", err
	}
	if len(files) != 1 {
		return "", fmt.Errorf("after one Put the folder holds %d files, want exactly one (one file per entry, "+
			"no temporary file left behind)", len(files))
	}
	return files[0], nil
}

// damaged checks that after damage(file) a new Store on the same folder reports a miss, removes the entry,
// and can store the key again.
func damaged(t *testing.T, open OpenStoreFunc, what string, damage func(path string) error) error {
	dir := t.TempDir()
	s, err := open(dir)
	if err != nil {
		return err
	}
	value := bytes.Repeat([]byte("concrete pour delayed by rain; "), 40)
	if err := s.Put("log-7", value); err != nil {
		return fmt.Errorf("Put: %v", err)
	}
	path, err := onlyEntry(dir)
	if err != nil {
		return err
	}
	if err := damage(path); err != nil {
		return err
	}
	s, err = open(dir) // "restart": a new instance on the same folder
	if err != nil {
		return fmt.Errorf("reopening after %s: %v", what, err)
	}
	got, ok, err := s.Get("log-7")
	if ok || got != nil {
		return fmt.Errorf("after %s, Get returned ok=%v and %d bytes, want a miss: a damaged entry is never served "+
			"(keep a length and a checksum in the file and verify them)", what, ok, len(got))
	}
	if err != nil {
		return fmt.Errorf("after %s, Get returned error %v, want a plain miss (ok false, err nil)", what, err)
	}
	if files, _ := entryFiles(dir); len(files) != 0 {
		return fmt.Errorf("after %s and a Get, the damaged file is still there: remove it", what)
	}
	if err := s.Put("log-7", value); err != nil {
		return fmt.Errorf("Put after %s: %v", what, err)
	}
	if got, ok, err := s.Get("log-7"); !ok || err != nil || !bytes.Equal(got, value) {
		return fmt.Errorf("Put then Get after %s: ok=%v err=%v", what, ok, err)
	}
	return nil
}

// StoreChecks are the persistent exercise's checks.
func StoreChecks(open OpenStoreFunc) []suite.Check {
	return []suite.Check{
		{Name: "a missing key is a miss", Run: func(t *testing.T) error {
			s, err := open(t.TempDir())
			if err != nil {
				return fmt.Errorf("open: %v", err)
			}
			if v, ok, err := s.Get("nothing here"); ok || v != nil || err != nil {
				return fmt.Errorf("Get of a missing key = (%q, %v, %v), want (nil, false, nil)", v, ok, err)
			}
			return nil
		}},
		{Name: "survives a restart", Run: func(t *testing.T) error {
			dir := filepath.Join(t.TempDir(), "cache") // not there yet: open creates it
			s, err := open(dir)
			if err != nil {
				return fmt.Errorf("open of a new folder: %v", err)
			}
			entries := map[string][]byte{
				"a":                          []byte("first"),
				"b":                          {},
				"../../escape":               []byte("keys are not paths"),
				"key/with/slashes":           []byte("still one file"),
				strings.Repeat("long ", 300): []byte("long keys hash to short names"),
				"ключ 🔑":                     {0, 1, 2, 255},
			}
			for k, v := range entries {
				if err := s.Put(k, v); err != nil {
					return fmt.Errorf("Put(%q): %v", k, err)
				}
			}
			if err := s.Put("a", []byte("second")); err != nil {
				return fmt.Errorf("Put over an existing key: %v", err)
			}
			entries["a"] = []byte("second")
			s, err = open(dir)
			if err != nil {
				return fmt.Errorf("reopen: %v", err)
			}
			for k, v := range entries {
				got, ok, err := s.Get(k)
				if !ok || err != nil || !bytes.Equal(got, v) {
					return fmt.Errorf("after a restart, Get(%.20q) = (%q, %v, %v), want (%q, true, nil)", k, got, ok, err, v)
				}
			}
			files, err := entryFiles(filepath.Dir(dir))
			if err != nil {
				return err
			}
			if len(files) != len(entries) {
				return fmt.Errorf("%d entries left %d files, want one file per entry and no stray temporary file", len(entries), len(files))
			}
			for _, f := range files {
				if rel, _ := filepath.Rel(dir, f); strings.HasPrefix(rel, "..") {
					return fmt.Errorf("an entry was written outside the cache folder, at %s: never use a key as a path", f)
				}
			}
			return nil
		}},
		{Name: "a torn entry is a miss", Run: func(t *testing.T) error {
			return damaged(t, open, "a crash that left half a file", func(path string) error {
				info, err := os.Stat(path)
				if err != nil {
					return err
				}
				return os.Truncate(path, info.Size()/2)
			})
		}},
		{Name: "an empty entry is a miss", Run: func(t *testing.T) error {
			return damaged(t, open, "a crash right after the file was created", func(path string) error {
				return os.Truncate(path, 0)
			})
		}},
		{Name: "a corrupt entry is a miss", Run: func(t *testing.T) error {
			return damaged(t, open, "one flipped byte near the end", func(path string) error {
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				b[len(b)-3] ^= 0x20
				return os.WriteFile(path, b, 0o600)
			})
		}},
		{Name: "readers never see half a write", Run: func(t *testing.T) error {
			s, err := open(t.TempDir())
			if err != nil {
				return err
			}
			values := [][]byte{bytes.Repeat([]byte("a"), 1<<16), bytes.Repeat([]byte("b"), 1<<15)}
			if err := s.Put("k", values[0]); err != nil {
				return err
			}
			var wg sync.WaitGroup
			done := make(chan struct{})
			var bad error
			var once sync.Once
			wg.Go(func() {
				defer close(done)
				for i := range 40 {
					if err := s.Put("k", values[i%2]); err != nil {
						once.Do(func() { bad = fmt.Errorf("Put: %v", err) })
						return
					}
				}
			})
			for range 2 {
				wg.Go(func() {
					for {
						select {
						case <-done:
							return
						default:
						}
						got, ok, err := s.Get("k")
						if !ok || err != nil || !(bytes.Equal(got, values[0]) || bytes.Equal(got, values[1])) {
							once.Do(func() {
								bad = fmt.Errorf("while another goroutine overwrote the entry, Get returned ok=%v err=%v "+
									"and %d bytes, want the old or the new value whole: write a temporary file in the "+
									"same folder, then rename it over the entry", ok, err, len(got))
							})
							return
						}
					}
				})
			}
			wg.Wait()
			return bad
		}},
		{Name: "a folder that is a file is an error", Run: func(t *testing.T) error {
			path := filepath.Join(t.TempDir(), "not-a-folder")
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				return err
			}
			if _, err := open(path); err == nil {
				return fmt.Errorf("opening a store on a regular file succeeded, want a clear error")
			}
			return nil
		}},
		KilledWriterCheck(open),
	}
}
