package streamingtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// The suite must reject implementations that are subtly wrong. Each test below builds one and checks that the
// named check fails (the others may fail too).

func mustFail(t *testing.T, checks []suite.Check, name string) {
	t.Helper()
	for _, c := range checks {
		if c.Name != name {
			continue
		}
		var err error
		t.Run(c.Name, func(t *testing.T) { err = c.Run(t) })
		if err == nil {
			t.Errorf("check %q passed a broken implementation", name)
		} else {
			t.Logf("check %q rejects it: %v", name, err)
		}
		return
	}
	t.Fatalf("no check named %q", name)
}

// slurpRecords reads everything first.
func slurpRecords(r io.Reader) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		b, err := io.ReadAll(r)
		if err != nil {
			yield("", err)
			return
		}
		for _, rec := range splitRecords(string(b)) {
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// scannerRecords uses bufio.Scanner's default line limit and forgets "\r".
func scannerRecords(r io.Reader) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		sc := bufio.NewScanner(r)
		var cur []string
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				if len(cur) > 0 && !yield(strings.Join(cur, "\n"), nil) {
					return
				}
				cur = nil
				continue
			}
			cur = append(cur, sc.Text())
		}
		if len(cur) > 0 && !yield(strings.Join(cur, "\n"), nil) {
			return
		}
		if sc.Err() != nil {
			yield("", sc.Err())
		}
	}
}

// keepCRRecords leaves the "\r" of "\r\n" line endings in the records.
func keepCRRecords(r io.Reader) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for rec, err := range slurpRecords(r) {
			if err == nil {
				rec = strings.ReplaceAll(rec, "\n", "\r\n")
			}
			if !yield(rec, err) {
				return
			}
		}
	}
}

// carelessRecords ignores yield's answer.
func carelessRecords(r io.Reader) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for rec, err := range slurpRecords(r) {
			yield(rec, err)
		}
	}
}

func TestSuiteRejectsBrokenRecords(t *testing.T) {
	mustFail(t, recordsChecks(slurpRecords), "streams")
	mustFail(t, recordsChecks(scannerRecords), "long-lines")
	mustFail(t, recordsChecks(keepCRRecords), "cases")
	mustFail(t, recordsChecks(carelessRecords), "early-break")
}

func TestSuiteAcceptsReference(t *testing.T) {
	// splitRecords over the whole input passes everything but streaming.
	for _, c := range recordsChecks(slurpRecords) {
		if c.Name == "streams" || c.Name == "read-error" {
			continue
		}
		if err := c.Run(t); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
}

// noOverlapChunks steps by max: chunks share nothing.
func noOverlapChunks(enc *tokens.Encoder, text string, max, overlap int) ([]streaming.Chunk, error) {
	if max <= 0 || overlap < 0 || overlap >= max {
		return nil, io.ErrShortBuffer
	}
	return refChunks(enc, text, max, overlap, max)
}

// runeChunks cuts the text every max runes, counting runes as tokens.
func runeChunks(enc *tokens.Encoder, text string, max, overlap int) ([]streaming.Chunk, error) {
	if max <= 0 || overlap < 0 || overlap >= max {
		return nil, io.ErrShortBuffer
	}
	var out []streaming.Chunk
	rs := []rune(text)
	for s := 0; s < len(rs); s += max - overlap {
		e := min(s+max, len(rs))
		out = append(out, streaming.Chunk{Text: string(rs[s:e]), Start: s, End: e})
		if e == len(rs) {
			break
		}
	}
	return out, nil
}

// refChunks slides a window of max tokens by step, without checking its arguments.
func refChunks(enc *tokens.Encoder, text string, max, overlap, step int) ([]streaming.Chunk, error) {
	if step <= 0 {
		return nil, io.ErrShortBuffer
	}
	ids := enc.Encode(text)
	var out []streaming.Chunk
	for s := 0; s < len(ids); s += step {
		e := min(s+max, len(ids))
		out = append(out, streaming.Chunk{Text: enc.Decode(ids[s:e]), Start: s, End: e})
		if e == len(ids) {
			break
		}
	}
	return out, nil
}

func TestSuiteRejectsBrokenChunkers(t *testing.T) {
	enc, err := tokens.For("gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	mustFail(t, chunkerChecks(enc, noOverlapChunks), "windows")
	mustFail(t, chunkerChecks(enc, runeChunks), "windows")
	lax := func(enc *tokens.Encoder, text string, max, overlap int) ([]streaming.Chunk, error) {
		if max <= 0 {
			return nil, io.ErrShortBuffer
		}
		return refChunks(enc, text, max, overlap, max)
	}
	mustFail(t, chunkerChecks(enc, lax), "bad-arguments")
	// A correct chunker written differently: the number of windows first, then each window by its index.
	counted := func(enc *tokens.Encoder, text string, max, overlap int) ([]streaming.Chunk, error) {
		if max < 1 || overlap < 0 || overlap >= max {
			return nil, fmt.Errorf("chunks: bad maxTokens %d or overlap %d", max, overlap)
		}
		ids := enc.Encode(text)
		if len(ids) == 0 {
			return nil, nil
		}
		step := max - overlap
		n := 1
		if len(ids) > max {
			n += (len(ids) - max + step - 1) / step
		}
		out := make([]streaming.Chunk, n)
		for i := range out {
			start := i * step
			end := min(start+max, len(ids))
			out[i] = streaming.Chunk{Text: enc.Decode(ids[start:end]), Start: start, End: end}
		}
		return out, nil
	}
	for _, c := range chunkerChecks(enc, counted) {
		if err := c.Run(t); err != nil {
			t.Errorf("a correct chunker written differently fails %s: %v", c.Name, err)
		}
	}
	ok := func(enc *tokens.Encoder, text string, max, overlap int) ([]streaming.Chunk, error) {
		if max <= 0 || overlap < 0 || overlap >= max {
			return nil, io.ErrShortBuffer
		}
		return refChunks(enc, text, max, overlap, max-overlap)
	}
	for _, c := range chunkerChecks(enc, ok) {
		if err := c.Run(t); err != nil {
			t.Errorf("reference chunker fails %s: %v", c.Name, err)
		}
	}
}

// slicePipeline reads every input first, then runs them in order with one goroutine per input.
func slicePipeline(ctx context.Context, workers int, in iter.Seq2[string, error],
	work func(context.Context, string) (string, error), emit func(string) error) error {
	if workers < 1 {
		return io.ErrShortBuffer
	}
	var all []string
	for s, err := range in {
		if err != nil {
			return err
		}
		all = append(all, s)
	}
	outs := make([]string, len(all))
	errs := make([]error, len(all))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, s := range all {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			outs[i], errs[i] = work(ctx, s)
		})
	}
	wg.Wait()
	for i := range all {
		if errs[i] != nil {
			return errs[i]
		}
		if err := emit(outs[i]); err != nil {
			return err
		}
	}
	return nil
}

// unorderedPipeline emits results as they finish.
func unorderedPipeline(ctx context.Context, workers int, in iter.Seq2[string, error],
	work func(context.Context, string) (string, error), emit func(string) error) error {
	if workers < 1 {
		return io.ErrShortBuffer
	}
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for s, err := range in {
		if err != nil {
			return err
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out, err := work(ctx, s)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				err = emit(out)
			}
			if err != nil && first == nil {
				first = err
			}
		})
	}
	wg.Wait()
	return first
}

func TestSuiteRejectsBrokenPipelines(t *testing.T) {
	mustFail(t, pipelineChecks(slicePipeline), "backpressure")
	mustFail(t, pipelineChecks(slicePipeline), "first-error")
	mustFail(t, pipelineChecks(unorderedPipeline), "order")
	release := make(chan struct{})
	defer close(release)
	leaky := func(ctx context.Context, workers int, in iter.Seq2[string, error],
		work func(context.Context, string) (string, error), emit func(string) error) error {
		go func() { <-release }() // a goroutine nobody waits for
		return slicePipeline(ctx, workers, in, work, emit)
	}
	mustFail(t, pipelineChecks(leaky), "no-goroutine-left")
}

// bufferedChat reads the whole stream, then writes the answer once; it also forgets the usage.
func bufferedChat(ctx context.Context, client *openai.Client, req openai.ChatCompletionRequest,
	w io.Writer) (streaming.ChatResult, error) {
	start := time.Now()
	req.Stream = true
	stream, err := client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return streaming.ChatResult{}, err
	}
	defer stream.Close()
	var res streaming.ChatResult
	var b strings.Builder
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		for _, c := range chunk.Choices {
			if c.Delta.Content != "" && b.Len() == 0 {
				res.TTFT = time.Since(start)
			}
			b.WriteString(c.Delta.Content)
		}
	}
	res.Text, res.Total = b.String(), time.Since(start)
	_, err = io.WriteString(w, res.Text)
	return res, err
}

// firstChunkChat times the first chunk, whatever it holds, and ignores errors other than its own.
func firstChunkChat(ctx context.Context, client *openai.Client, req openai.ChatCompletionRequest,
	w io.Writer) (streaming.ChatResult, error) {
	start := time.Now()
	req.Stream = true
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	stream, err := client.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		return streaming.ChatResult{}, err
	}
	defer stream.Close()
	var res streaming.ChatResult
	for {
		chunk, err := stream.Recv()
		if err != nil {
			break // io.EOF or not
		}
		if res.TTFT == 0 {
			res.TTFT = time.Since(start) + 1 // a careless clock
		}
		if chunk.Usage != nil {
			res.Usage = *chunk.Usage
		}
		for _, c := range chunk.Choices {
			res.Text += c.Delta.Content
			io.WriteString(w, c.Delta.Content)
		}
	}
	res.Total = time.Since(start)
	return res, nil
}

func TestSuiteRejectsBrokenChats(t *testing.T) {
	mustFail(t, chatChecks(bufferedChat), "deltas-and-timing")
	mustFail(t, chatChecks(bufferedChat), "usage-and-text")
	mustFail(t, chatChecks(firstChunkChat), "deltas-and-timing")
	mustFail(t, chatChecks(firstChunkChat), "errors")
}

// consumer is a streaming chat consumer with switchable mistakes; without any it is correct, and unlike the
// reference it buffers nothing but the text and checks the final chunk by a different route.
type consumer struct {
	untilEOF     bool // trusts io.EOF: takes a stream cut before its final chunk for the whole answer
	ignoreWrites bool // carries on when w fails
	allChoices   bool // appends every choice's delta, not choice 0's alone
}

func (c consumer) chat(ctx context.Context, client *openai.Client, req openai.ChatCompletionRequest,
	w io.Writer) (streaming.ChatResult, error) {
	start := time.Now()
	req.Stream = true
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	stream, err := client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return streaming.ChatResult{}, err
	}
	defer stream.Close()
	var res streaming.ChatResult
	var text []string
	var finish openai.FinishReason
	var usage *openai.Usage
	for {
		chunk, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, fmt.Errorf("chat: %w", err)
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 && !c.allChoices {
				continue
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
			if ch.Delta.Content == "" {
				continue
			}
			if len(text) == 0 {
				res.TTFT = time.Since(start)
			}
			text = append(text, ch.Delta.Content)
			if _, err := io.WriteString(w, ch.Delta.Content); err != nil && !c.ignoreWrites {
				return res, fmt.Errorf("chat: writing the answer: %w", err)
			}
		}
	}
	res.Total, res.Text = time.Since(start), strings.Join(text, "")
	if usage != nil {
		res.Usage = *usage
	}
	if !c.untilEOF && (finish == "" || usage == nil) {
		return res, fmt.Errorf("chat: stream ended before its final chunk: %w", io.ErrUnexpectedEOF)
	}
	return res, nil
}

func TestSuiteJudgesChatConsumers(t *testing.T) {
	for _, c := range chatChecks(consumer{}.chat) {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.Run(t); err != nil {
				t.Errorf("a correct consumer fails %s: %v", c.Name, err)
			}
		})
	}
	mustFail(t, chatChecks(consumer{untilEOF: true}.chat), "cut-short")
	mustFail(t, chatChecks(consumer{ignoreWrites: true}.chat), "write-error")
	mustFail(t, chatChecks(consumer{allChoices: true}.chat), "first-choice-only")
}

// emitDeadlock is the reference pipeline's shape with the mistake that once hung the capstone: the workers hand
// results over an unbuffered channel, and the emitter returns at the first emit error without draining it, so a
// worker blocks for ever on its send.
func emitDeadlock(ctx context.Context, workers int, in iter.Seq2[string, error],
	work func(context.Context, string) (string, error), emit func(string) error) error {
	if workers < 1 {
		return io.ErrShortBuffer
	}
	type item struct {
		seq int
		s   string
	}
	jobs, results := make(chan item), make(chan item)
	errc := make(chan error, 2)
	var wg sync.WaitGroup
	go func() {
		defer close(jobs)
		seq := 0
		for s, err := range in {
			if err != nil {
				errc <- err
				return
			}
			jobs <- item{seq, s}
			seq++
		}
	}()
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				out, err := work(ctx, j.s)
				if err != nil {
					errc <- err
					return
				}
				results <- item{j.seq, out}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	pending := map[int]string{}
	next := 0
	for r := range results {
		pending[r.seq] = r.s
		for s, ok := pending[next]; ok; s, ok = pending[next] {
			delete(pending, next)
			if err := emit(s); err != nil {
				return err // the workers and the producer are left blocked
			}
			next++
		}
	}
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// deafPipeline runs on its own background context: the caller's cancellation never reaches the work.
func deafPipeline(ctx context.Context, workers int, in iter.Seq2[string, error],
	work func(context.Context, string) (string, error), emit func(string) error) error {
	return orderedPipeline(context.Background(), workers, in, work, emit)
}

// orderedPipeline is a correct pipeline written differently from the reference: a semaphore of 2·workers from
// golang.org/x/sync/semaphore bounds what is in flight, and a slice of result channels keeps the order.
func orderedPipeline(ctx context.Context, workers int, in iter.Seq2[string, error],
	work func(context.Context, string) (string, error), emit func(string) error) error {
	if workers < 1 {
		return fmt.Errorf("pipeline: %d workers", workers)
	}
	g, ctx := errgroup.WithContext(ctx)
	window := semaphore.NewWeighted(int64(2 * workers))
	slots := make(chan chan string, 2*workers) // one per input in flight, in input order
	g.Go(func() error {
		defer close(slots)
		run := make(chan struct{}, workers)
		var wg sync.WaitGroup
		defer wg.Wait()
		for s, err := range in {
			if err != nil {
				return err
			}
			if err := window.Acquire(ctx, 1); err != nil {
				return err
			}
			out := make(chan string, 1)
			slots <- out
			select {
			case run <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			wg.Go(func() {
				defer func() { <-run }()
				if ctx.Err() != nil {
					close(out)
					return
				}
				r, err := work(ctx, s)
				if err != nil {
					g.Go(func() error { return err })
					close(out)
					return
				}
				out <- r
			})
		}
		return nil
	})
	g.Go(func() error {
		for out := range slots {
			r, ok := <-out
			if !ok {
				return ctx.Err()
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := emit(r); err != nil {
				return err
			}
			window.Release(1)
		}
		return nil
	})
	return g.Wait()
}

func TestSuiteJudgesMorePipelines(t *testing.T) {
	checks := pipelineChecks(orderedPipeline)
	for _, c := range checks {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.Run(t); err != nil {
				t.Errorf("a correct pipeline on x/sync/semaphore fails %s: %v", c.Name, err)
			}
		})
	}
	mustFail(t, pipelineChecks(emitDeadlock), "first-error")
	mustFail(t, pipelineChecks(deafPipeline), "caller-cancels")
}
