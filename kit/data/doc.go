// Package data generates the course's inputs from a seed: construction-site logs, prompt workloads and documents.
//
// The idea: realistic input at any size, without files. SiteLog streams a log of any length in constant memory
// (a GiB takes seconds and a few KiB of RAM), Workload draws prompts whose repeats follow a Zipf law (a few
// prompts are asked very often, most rarely — what makes caching pay), and Document writes prose with paragraphs
// for chunking. The same seed always gives the same bytes.
package data
