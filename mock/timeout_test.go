package mock_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
)

// serveHTTP runs s.HTTPServer on a loopback port and returns its address.
func serveHTTP(t *testing.T, s *mock.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.HTTPServer()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedWithin reports how long the server took to close conn (reading and discarding whatever it sends
// first), failing the test if it is still open after limit.
func closedWithin(t *testing.T, conn net.Conn, limit time.Duration) (time.Duration, string) {
	t.Helper()
	start := time.Now()
	conn.SetReadDeadline(start.Add(limit))
	got, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server still holds the connection after %v (sent %q)", limit, got)
	}
	return time.Since(start), string(got)
}

// A client that sends its headers and part of its body, then stalls, is disconnected once ReadTimeout has
// passed; so is one that never finishes its headers, and a keep-alive connection left idle.
func TestHTTPServerTimeouts(t *testing.T) {
	const timeout = 300 * time.Millisecond
	addr := serveHTTP(t, mock.New(mock.Config{ReadTimeout: timeout, IdleTimeout: timeout}))
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	t.Run("stalled body", func(t *testing.T) {
		conn := dial()
		io.WriteString(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
			"Content-Length: 1000\r\n\r\n{\"model\":\"gpt-4o\",")
		took, reply := closedWithin(t, conn, 5*time.Second)
		if took < timeout/2 {
			t.Errorf("closed after %v, before the read timeout of %v", took, timeout)
		}
		if reply != "" && !strings.Contains(reply, `"error"`) {
			t.Errorf("a reply that is not an OpenAI-style error: %q", reply)
		}
		t.Logf("stalled body: closed after %v", took.Round(time.Millisecond))
	})
	t.Run("stalled headers", func(t *testing.T) {
		conn := dial()
		io.WriteString(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Ty")
		took, _ := closedWithin(t, conn, 5*time.Second)
		t.Logf("stalled headers: closed after %v", took.Round(time.Millisecond))
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn := dial()
		io.WriteString(conn, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		took, _ := closedWithin(t, conn, 5*time.Second)
		t.Logf("idle keep-alive: closed after %v", took.Round(time.Millisecond))
	})
}

// The read timeout bounds the request, not the reply: a stream that lasts several read timeouts arrives whole,
// and the write timeout is longer than the longest reply the configuration allows.
func TestHTTPServerLongStream(t *testing.T) {
	cfg := mock.Config{ReadTimeout: 200 * time.Millisecond, TTFT: 100 * time.Millisecond, InterToken: 10 * time.Millisecond,
		AnswerTokens: 60, Jitter: 0.5, TailRate: 0.1, TailDelay: time.Second, FaultRate: 0.1, Faults: []mock.Fault{mock.FaultSlowFirstByte}}
	s := mock.New(cfg)
	srv := s.HTTPServer()
	want := 150*time.Millisecond + time.Second + 60*15*time.Millisecond + 30*time.Second
	if got := cfg.LongestReply(); got != want {
		t.Errorf("LongestReply = %v, want %v", got, want)
	}
	if srv.WriteTimeout < srv.ReadTimeout+cfg.LongestReply() || srv.ReadHeaderTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: header %v, read %v, write %v, idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}

	addr := serveHTTP(t, mock.New(mock.Config{ReadTimeout: 200 * time.Millisecond, TTFT: 100 * time.Millisecond,
		InterToken: 10 * time.Millisecond, AnswerTokens: 60}))
	start := time.Now()
	resp, err := http.Post("http://"+addr+mock.PathChat, "application/json", strings.NewReader(
		`{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"a long answer, please"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.HasSuffix(string(body), "data: [DONE]\n\n") {
		t.Fatalf("after %v: %v, the stream ends %q", time.Since(start), err, body[max(len(body)-80, 0):])
	}
	if took := time.Since(start); took < 3*cfg.ReadTimeout {
		t.Errorf("the stream took %v; the test wants one longer than the read timeout", took)
	}
}
