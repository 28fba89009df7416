// Package streaming is the reference solution of week 3, chunked streaming: big inputs in flat memory, answers
// as they arrive.
//
//   - Records reads blank-line-separated records one at a time (an iterator), whatever the input's size.
//   - Chunks cuts a long document into windows of whole tokens that overlap.
//   - Pipeline runs k workers over an input with a bounded window in flight and emits results in input order.
//   - StreamChat shows a chat answer delta by delta and measures time to first token.
//
// Gather is the opposite of Pipeline, kept for comparison: the "create every task first, then gather"
// orchestrator of the course's Python seed, whose memory grows with the input.
package streaming
