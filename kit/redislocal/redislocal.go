// Package redislocal runs a private, throwaway redis-server: on a free loopback port, in a temporary folder,
// keeping nothing on disk, stopped with the program that started it.
//
// The idea: code that shares state between processes through Redis is tested against the real server, not a
// fake. Start runs one and waits until it answers; Kill ends it as a crash would (SIGKILL) and Restart brings it
// back on the same port, empty, so a test can cut Redis out from under running processes; Close stops it for
// good. Test does the same for a test: it skips with a message naming the package to install when there is no
// redis-server (it fails instead with CI=true, where one must be installed).
//
// The server holds at most 64 MiB and then evicts the least recently used keys (maxmemory, allkeys-lru): every
// cache built on it is bounded in bytes.
package redislocal

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// ErrNotInstalled says there is no redis-server to run.
var ErrNotInstalled = errors.New("redislocal: redis-server not found: install the Debian package redis-server " +
	"(apt-get install redis-server; Homebrew: brew install redis), or set REDIS_SERVER to its path")

// MaxMemory is what a server Start runs may hold; past it, it evicts the least recently used keys.
const MaxMemory = "64mb"

// Server is one redis-server process on 127.0.0.1. Its methods are safe for concurrent use.
type Server struct {
	bin, dir string
	port     int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been waited for
}

// Start runs a redis-server on a free loopback port and returns once it answers PING (within 10 s). The
// binary is $REDIS_SERVER if set, else redis-server from PATH, else /usr/bin/redis-server or
// /usr/sbin/redis-server (where Debian puts it).
func Start() (*Server, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "redislocal-")
	if err != nil {
		return nil, err
	}
	var last error
	for range 5 { // a free port can be taken by someone else before the server binds it: try another
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s := &Server{bin: bin, dir: dir, port: port}
		if last = s.start(); last == nil {
			return s, nil
		}
	}
	os.RemoveAll(dir)
	return nil, last
}

func binary() (string, error) {
	if p := os.Getenv("REDIS_SERVER"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/redis-server", "/usr/sbin/redis-server"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNotInstalled
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// start runs the server on s.port and waits until it answers.
func (s *Server) start() error {
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
		"--maxmemory", MaxMemory, "--maxmemory-policy", "allkeys-lru", "--loglevel", "warning",
		"--logfile", filepath.Join(s.dir, "redis.log"))
	cmd.Dir = s.dir
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redislocal: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ping(s.Addr(), 200*time.Millisecond) == nil {
			return nil
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redislocal: redis-server exited at start (%v): %s", cmd.ProcessState, tail(log, 400))
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Kill()
			return errors.New("redislocal: redis-server did not answer PING within 10 s")
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// ping sends PING and expects +PONG.
func ping(addr string, timeout time.Duration) error {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("redislocal: PING answered %q", line)
	}
	return nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's address as go-redis's ParseURL reads it: redis://127.0.0.1:PORT/0.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Kill ends the server with SIGKILL, as a crash would, and waits until it is gone. Everything it held is lost.
// Killing a server that is not running does nothing.
func (s *Server) Kill() error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	default:
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-done
	return nil
}

// Restart starts the server again on the same port (killing it first if it runs), empty.
func (s *Server) Restart() error {
	if err := s.Kill(); err != nil {
		return err
	}
	var err error
	for range 50 { // the port is free as soon as the process is gone; allow for a slow kernel all the same
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// Close stops the server and removes its folder.
func (s *Server) Close() error {
	err := s.Kill()
	return errors.Join(err, os.RemoveAll(s.dir))
}

// TB is the part of testing.TB that Test uses (this package does not import testing, so programs can use it).
type TB interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
	Cleanup(func())
}

// Test starts a server for a test and closes it when the test ends. Without redis-server it skips the test with
// ErrNotInstalled's message, except when the environment has CI=true: there it fails, since CI installs it.
func Test(tb TB) *Server {
	tb.Helper()
	s, err := Start()
	switch {
	case errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true":
		tb.Skip(err)
	case err != nil:
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
