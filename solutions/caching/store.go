package caching

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Store is a cache of bytes on disk that survives a restart: one file per entry in a folder.
//
// A Put writes a temporary file in the same folder, syncs it to disk and renames it over the entry's file. A
// rename within a folder is atomic, so a reader — or a process starting after a crash — finds the old entry or
// the new one, never part of one. Each file also carries the entry's lengths and a SHA-256 of its key and
// value, checked on every Get: a file that was damaged some other way is a miss, and is removed.
//
// A writer holds an exclusive lock (flock) on its temporary file from creating it until it is renamed, and the
// system drops the lock when the writer dies. OpenStore removes the temporary files that writers which died
// mid-Put left behind: those older than StaleAfter that no live process holds. A file being written by another
// live process is never removed. (Where the system has no flock, age alone decides.)
//
// File names are hashes of the keys, so any key is safe to use and none is a path. Safe for concurrent use by
// goroutines and processes.
type Store struct {
	dir string
}

// StaleAfter is how old an unlocked temporary file must be before OpenStore or Clean removes it: long enough
// that a writer which has just created its file has also locked it.
const StaleAfter = 10 * time.Second

const (
	magic      = "wbcache1"
	headerSize = len(magic) + 4 + 8 + sha256.Size
	entryExt   = ".entry"
	tempPrefix = ".tmp-"
	maxKeySize = 1 << 20
)

// OpenStore opens the store kept in dir, creating the folder (mode 0700) if needed, and removes the temporary
// files left by writers that died (see Store).
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("caching: open store: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("caching: open store: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("caching: open store: %s is not a folder", dir)
	}
	s := &Store{dir: dir}
	s.Clean() // a leftover that cannot be removed now is removed by a later open; it is never read
	return s, nil
}

// Dir is the store's folder.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.dir, hex.EncodeToString(sum[:])+entryExt)
}

// Get returns the value stored for key. A missing, torn or corrupt entry is a miss (ok false, err nil); a
// damaged one is removed. err reports other failures, such as a file that cannot be read.
func (s *Store) Get(key string) (value []byte, ok bool, err error) {
	path := s.path(key)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("caching: read entry: %w", err)
	}
	value, ok = decode(b, key)
	if !ok {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, false, fmt.Errorf("caching: remove damaged entry: %w", err)
		}
		return nil, false, nil
	}
	return value, true, nil
}

// Put stores value for key, replacing any previous value atomically.
func (s *Store) Put(key string, value []byte) (err error) {
	if len(key) > maxKeySize {
		return fmt.Errorf("caching: key of %d bytes is longer than %d", len(key), maxKeySize)
	}
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("caching: put: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = lock(tmp); err != nil { // held until the file is renamed and closed, or this process dies
		return fmt.Errorf("caching: put: %w", err)
	}
	if _, err = tmp.Write(encode(key, value)); err != nil {
		return fmt.Errorf("caching: put: %w", err)
	}
	if err = tmp.Sync(); err != nil { // the bytes are on disk before the name points at them
		return fmt.Errorf("caching: put: %w", err)
	}
	if err = commit(tmp, s.path(key)); err != nil {
		return fmt.Errorf("caching: put: %w", err)
	}
	return syncDir(s.dir) // the rename itself is on disk
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("caching: sync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("caching: sync folder: %w", err)
	}
	return nil
}

// Len is the number of entry files.
func (s *Store) Len() (int, error) {
	names, err := os.ReadDir(s.dir)
	n := 0
	for _, e := range names {
		if strings.HasSuffix(e.Name(), entryExt) {
			n++
		}
	}
	return n, err
}

// Clean removes the temporary files that writers which died mid-Put left behind: those older than StaleAfter
// that no live process holds. OpenStore calls it; it is safe while other processes write.
func (s *Store) Clean() (removed int, err error) {
	names, err := os.ReadDir(s.dir)
	for _, e := range names {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		path := filepath.Join(s.dir, e.Name())
		info, ierr := e.Info()
		if ierr != nil || time.Since(info.ModTime()) < StaleAfter {
			continue // gone meanwhile, or maybe just created and not locked yet
		}
		switch held, lerr := heldByWriter(path); {
		case errors.Is(lerr, fs.ErrNotExist), held:
			continue // renamed into place meanwhile, or still being written
		case lerr != nil:
			err = errors.Join(err, lerr)
			continue
		}
		if rerr := os.Remove(path); rerr == nil {
			removed++
		} else if !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
	}
	return removed, err
}

// encode lays out an entry: magic, key length (4 bytes), value length (8), SHA-256 of key and value, key, value.
func encode(key string, value []byte) []byte {
	b := make([]byte, 0, headerSize+len(key)+len(value))
	b = append(b, magic...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(key)))
	b = binary.BigEndian.AppendUint64(b, uint64(len(value)))
	sum := checksum(key, value)
	b = append(b, sum[:]...)
	b = append(b, key...)
	return append(b, value...)
}

// decode returns the value of an entry for key, or false if the entry is short, long, damaged or another key's.
func decode(b []byte, key string) ([]byte, bool) {
	if len(b) < headerSize || string(b[:len(magic)]) != magic {
		return nil, false
	}
	rest := b[len(magic):]
	keyLen := uint64(binary.BigEndian.Uint32(rest))
	valueLen := binary.BigEndian.Uint64(rest[4:])
	sum := rest[12 : 12+sha256.Size]
	body := rest[12+sha256.Size:]
	if keyLen > maxKeySize || uint64(len(body)) != keyLen+valueLen {
		return nil, false
	}
	k, value := body[:keyLen], body[keyLen:]
	want := checksum(string(k), value)
	if string(k) != key || !bytes.Equal(sum, want[:]) {
		return nil, false
	}
	return value, true
}

func checksum(key string, value []byte) [sha256.Size]byte {
	h := sha256.New()
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(key)))
	h.Write(n[:])
	h.Write([]byte(key))
	h.Write(value)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
