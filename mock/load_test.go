package mock_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// TestLoad drives 10,000 mixed requests (plain and streaming, in memory and over loopback, with injected
// faults) with up to 256 in flight, checks that every one ended as expected, and that no goroutine is left.
func TestLoad(t *testing.T) {
	const total, inFlight = 10_000, 256
	baseline := runtime.NumGoroutine()

	s := mock.New(mock.Config{FaultRate: 0.05, Faults: []mock.Fault{mock.Fault500, mock.Fault429, mock.FaultDrop}, Seed: 3})
	hs := httptest.NewServer(s)
	loopCfg := openai.DefaultConfig("sk-test")
	loopCfg.BaseURL = hs.URL + "/v1"
	loopTransport := &http.Transport{MaxIdleConnsPerHost: inFlight}
	loopCfg.HTTPClient = &http.Client{Transport: loopTransport}
	clients := []*openai.Client{s.Client(), openai.NewClientWithConfig(loopCfg)}

	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, inFlight)
	for i := range total {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c := clients[i%2]
			req := openai.ChatCompletionRequest{
				Model:     []string{"gpt-4o-mini", "gpt-4"}[i/2%2],
				Messages:  userMsg(fmt.Sprintf("question %d", i%100)),
				MaxTokens: 10 + i%40,
			}
			var err error
			if i/4%2 == 0 {
				_, err = c.CreateChatCompletion(context.Background(), req)
			} else {
				req.Stream = true
				err = drain(c, req)
			}
			if err != nil {
				failed.Add(1)
			} else {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	hs.Close()
	loopTransport.CloseIdleConnections()

	st := s.Stats()
	var faults int64
	for _, n := range st.Faults {
		faults += n
	}
	if ok.Load()+failed.Load() != total || st.Requests != total || st.InFlight != 0 {
		t.Errorf("ok %d failed %d; server saw %d, %d in flight", ok.Load(), failed.Load(), st.Requests, st.InFlight)
	}
	if failed.Load() != faults || faults < total/40 {
		t.Errorf("%d calls failed, %d faults injected", failed.Load(), faults)
	}
	if st.PeakConcurrent < 2 || st.PeakConcurrent > inFlight {
		t.Errorf("peak concurrency %d", st.PeakConcurrent)
	}

	// Every goroutine the load started must end.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the load, %d before:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}

// drain reads a stream to its end.
func drain(c *openai.Client, req openai.ChatCompletionRequest) error {
	st, err := c.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		return err
	}
	defer st.Close()
	for {
		if _, err := st.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
