// Package caching is week 2's reference solution: never pay for the same LLM call twice.
//
//   - LRU: a generic cache with a size bound that evicts the least recently used entry; a hit allocates
//     nothing. Library is the same thing from hashicorp/golang-lru, behind the same interface.
//   - TTL: an LRU whose entries also expire, checked against the clock on every Get.
//   - Client: a go-openai chat client that answers repeated requests from a cache, keyed by a hash of the
//     whole normalised request (Key), with one upstream call for any number of identical requests in flight.
//   - Store: a cache on disk, one file per entry, written atomically and verified on every read.
//   - Embeddings: an embedding client that sends upstream only the inputs it has not seen.
//   - Semantic: a semantic cache that answers a question from the most similar one stored, above a threshold.
//
// NaiveClient is the map-based cache most people write first, kept to show its thundering herd.
package caching
