package redislocal_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
)

// TestKillRestart: a server answers, is gone after Kill, answers again on the same port after Restart, and is
// gone for good after Close.
func TestKillRestart(t *testing.T) {
	s := redislocal.Test(t)
	answers := func() bool {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err != nil {
			return false
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		c.Write([]byte("PING\r\n"))
		b := make([]byte, 7)
		n, _ := c.Read(b)
		return string(b[:n]) == "+PONG\r\n"
	}
	if !answers() {
		t.Fatal("a started server does not answer PING")
	}
	addr := s.Addr()
	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	if answers() {
		t.Fatal("a killed server still answers")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr || !answers() {
		t.Fatalf("after Restart: %s answers %v, want %s answering", s.Addr(), answers(), addr)
	}
	if got, want := s.URL(), "redis://"+addr+"/0"; got != want {
		t.Errorf("URL %q, want %q", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if answers() {
		t.Fatal("a closed server still answers")
	}
}

// TestNotInstalled: the message of a machine without redis-server names the package to install.
func TestNotInstalled(t *testing.T) {
	if msg := redislocal.ErrNotInstalled.Error(); !strings.Contains(msg, "apt-get install redis-server") {
		t.Errorf("the message does not name the package: %s", msg)
	}
}

// TestBadBinary: a REDIS_SERVER that is not a redis-server fails Start with an error, not a hang.
func TestBadBinary(t *testing.T) {
	t.Setenv("REDIS_SERVER", "/bin/false")
	if s, err := redislocal.Start(); err == nil {
		s.Close()
		t.Fatal("Start with /bin/false succeeded")
	} else if !strings.Contains(err.Error(), "exited at start") {
		t.Errorf("Start: %v, want it to say the server exited", err)
	}
}
