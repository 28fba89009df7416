// Package data generates the course's inputs from a seed: construction-site logs, prompt workloads, documents,
// and graded tasks whose right answer is known.
//
// The idea: realistic input at any size, without files. SiteLog streams a log of any length in constant memory
// (a GiB takes seconds and a few KiB of RAM), Workload draws prompts whose repeats follow a Zipf law (a few
// prompts are asked very often, most rarely — what makes caching pay), and Document writes prose with paragraphs
// for chunking. NewTask makes graded work over a site log — extract one record's fields, count records, find the
// one line addressed to the assistant — with its right answer (Task.Want), a grader (Task.Grade), a validator that
// checks only an answer's form (TaskKind.Validate), and the plausible mistakes a model makes (Task.Mistake). The
// same seed always gives the same bytes.
package data
